//===- HDF5.h - Small helpers over the HDF5 C API ---------------*- C++ -*-===//
//
// Owning handles and typed reads and writes of the few HDF5 objects a NIR
// file holds: groups, numeric arrays and strings, fixed or variable length.
// The C API is used because snnc builds without exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_LIB_NIR_HDF5_H
#define SNNC_LIB_NIR_HDF5_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <hdf5.h>

#include <string>
#include <vector>

namespace snnc::nir {

/// An HDF5 identifier closed by the function that matches its kind.
class Handle {
public:
  using Closer = herr_t (*)(hid_t);

  Handle() = default;
  Handle(hid_t id, Closer closer) : id(id), closer(closer) {}
  Handle(const Handle &) = delete;
  Handle &operator=(const Handle &) = delete;
  Handle(Handle &&other) : id(other.id), closer(other.closer) {
    other.id = H5I_INVALID_HID;
  }
  Handle &operator=(Handle &&other) {
    if (this != &other) {
      reset();
      id = other.id;
      closer = other.closer;
      other.id = H5I_INVALID_HID;
    }
    return *this;
  }
  ~Handle() { reset(); }

  void reset() {
    if (id >= 0 && closer)
      closer(id);
    id = H5I_INVALID_HID;
  }
  bool valid() const { return id >= 0; }
  hid_t get() const { return id; }

private:
  hid_t id = H5I_INVALID_HID;
  Closer closer = nullptr;
};

/// Turns off the library's own error printing: snnc reports failures itself,
/// naming the NIR node and field rather than an HDF5 call stack.
void silenceHDF5Errors();

/// Opens an HDF5 file image held in memory, read only.
Handle openImage(llvm::ArrayRef<char> image);

/// Creates an empty HDF5 file that lives in memory until `takeImage`.
Handle createImage();

/// Flushes an in-memory file and returns its bytes.
llvm::Expected<std::vector<char>> takeImage(hid_t file);

/// The names of the members of a group, in the library's name order.
std::vector<std::string> listMembers(hid_t group);

/// Whether `name` is a group, a dataset, or neither, inside `group`.
bool isGroup(hid_t group, llvm::StringRef name);
bool isDataset(hid_t group, llvm::StringRef name);

/// A dataset or attribute read as numbers or strings.
struct Array {
  llvm::SmallVector<int64_t> shape;
  std::vector<double> numbers;
  std::vector<std::string> strings;
  bool isString = false;

  int64_t numElements() const {
    int64_t count = 1;
    for (int64_t dim : shape)
      count *= dim;
    return count;
  }
};

/// Reads the dataset `name` of `group`: integers and floats of any width are
/// converted to double, fixed and variable length strings to std::string.
llvm::Expected<Array> readDataset(hid_t group, llvm::StringRef name);

/// Reads the string attribute `name` of an object, if it has one.
llvm::Expected<Array> readAttribute(hid_t object, llvm::StringRef name);
bool hasAttribute(hid_t object, llvm::StringRef name);

/// Creates a group, with any missing parents.
Handle createGroup(hid_t parent, llvm::StringRef name);

/// Writes a variable-length UTF-8 string dataset of the given shape; an empty
/// shape writes a scalar.
llvm::Error writeStrings(hid_t group, llvm::StringRef name,
                         llvm::ArrayRef<int64_t> shape,
                         llvm::ArrayRef<std::string> values);

/// Writes a gzip-compressed float64 array (uncompressed when scalar).
llvm::Error writeDoubles(hid_t group, llvm::StringRef name,
                         llvm::ArrayRef<int64_t> shape,
                         llvm::ArrayRef<double> values);

/// Writes an int64 array (a scalar when `shape` is empty).
llvm::Error writeInts(hid_t group, llvm::StringRef name,
                      llvm::ArrayRef<int64_t> shape,
                      llvm::ArrayRef<int64_t> values);

} // namespace snnc::nir

#endif // SNNC_LIB_NIR_HDF5_H
