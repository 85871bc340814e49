//===- HDF5.cpp - Small helpers over the HDF5 C API -----------------------===//

#include "lib/NIR/HDF5.h"

#include "llvm/ADT/Twine.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace snnc::nir;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

static Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

void snnc::nir::silenceHDF5Errors() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

Handle snnc::nir::openImage(llvm::ArrayRef<char> image) {
  // The core driver serves the file from memory, so translate's input buffer
  // (a file or stdin) is read without a temporary file.
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (!fapl.valid() || H5Pset_fapl_core(fapl.get(), 1 << 16, false) < 0)
    return Handle();
  if (H5Pset_file_image(fapl.get(), const_cast<char *>(image.data()),
                        image.size()) < 0)
    return Handle();
  return Handle(H5Fopen("nir-image", H5F_ACC_RDONLY, fapl.get()), H5Fclose);
}

Handle snnc::nir::createImage() {
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (!fapl.valid() || H5Pset_fapl_core(fapl.get(), 1 << 16, false) < 0)
    return Handle();
  return Handle(H5Fcreate("nir-export", H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
                H5Fclose);
}

Expected<std::vector<char>> snnc::nir::takeImage(hid_t file) {
  if (H5Fflush(file, H5F_SCOPE_GLOBAL) < 0)
    return makeError("cannot flush the HDF5 file");
  ssize_t size = H5Fget_file_image(file, nullptr, 0);
  if (size <= 0)
    return makeError("cannot get the HDF5 file image");
  std::vector<char> bytes(size);
  if (H5Fget_file_image(file, bytes.data(), bytes.size()) != size)
    return makeError("cannot copy the HDF5 file image");
  return bytes;
}

static herr_t collectMember(hid_t, const char *name, const H5L_info_t *,
                            void *data) {
  static_cast<std::vector<std::string> *>(data)->emplace_back(name);
  return 0;
}

std::vector<std::string> snnc::nir::listMembers(hid_t group) {
  std::vector<std::string> names;
  hsize_t index = 0;
  H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &index, collectMember, &names);
  return names;
}

/// The kind of the object `name` in `group`, or H5I_BADID when absent.
static H5I_type_t objectKind(hid_t group, StringRef name) {
  std::string key = name.str();
  if (H5Lexists(group, key.c_str(), H5P_DEFAULT) <= 0)
    return H5I_BADID;
  Handle object(H5Oopen(group, key.c_str(), H5P_DEFAULT), H5Oclose);
  if (!object.valid())
    return H5I_BADID;
  return H5Iget_type(object.get());
}

bool snnc::nir::isGroup(hid_t group, StringRef name) {
  return objectKind(group, name) == H5I_GROUP;
}

bool snnc::nir::isDataset(hid_t group, StringRef name) {
  return objectKind(group, name) == H5I_DATASET;
}

bool snnc::nir::hasAttribute(hid_t object, StringRef name) {
  return H5Aexists(object, name.str().c_str()) > 0;
}

/// The double nearest to the shortest decimal that rounds to `value`.
static double shortestDecimal(float value) {
  if (!std::isfinite(value))
    return value;
  char text[32];
  for (int digits = 1; digits < 10; ++digits) {
    std::snprintf(text, sizeof(text), "%.*g", digits, value);
    double parsed = std::strtod(text, nullptr);
    if (static_cast<float>(parsed) == value)
      return parsed;
  }
  return value;
}

/// Reads the shape of a dataspace; a scalar has an empty shape.
static Expected<llvm::SmallVector<int64_t>> readShape(hid_t space) {
  int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0)
    return makeError("unreadable dataspace");
  llvm::SmallVector<hsize_t> dims(rank);
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return llvm::SmallVector<int64_t>(dims.begin(), dims.end());
}

/// Reads strings of either length kind through `read`, which wraps
/// H5Dread or H5Aread with the given memory type.
template <typename ReadFn>
static Error readStrings(hid_t fileType, int64_t count, ReadFn read,
                         std::vector<std::string> &out) {
  Handle memType(H5Tcopy(H5T_C_S1), H5Tclose);
  if (H5Tis_variable_str(fileType) > 0) {
    H5Tset_size(memType.get(), H5T_VARIABLE);
    H5Tset_cset(memType.get(), H5Tget_cset(fileType));
    std::vector<char *> pointers(count, nullptr);
    if (read(memType.get(), pointers.data()) < 0)
      return makeError("cannot read variable-length strings");
    for (char *text : pointers) {
      out.emplace_back(text ? text : "");
      // The library allocated each string with the C allocator.
      H5free_memory(text);
    }
    return Error::success();
  }

  // Fixed length: NUL padded or space padded; keep the text before either.
  size_t width = H5Tget_size(fileType);
  H5Tset_size(memType.get(), width);
  H5Tset_cset(memType.get(), H5Tget_cset(fileType));
  H5Tset_strpad(memType.get(), H5T_STR_NULLPAD);
  std::vector<char> buffer(width * count + 1, '\0');
  if (read(memType.get(), buffer.data()) < 0)
    return makeError("cannot read fixed-length strings");
  for (int64_t i = 0; i < count; ++i) {
    StringRef text(buffer.data() + i * width, width);
    text = text.take_until([](char c) { return c == '\0'; });
    out.push_back(text.rtrim(' ').str());
  }
  return Error::success();
}

Expected<Array> snnc::nir::readDataset(hid_t group, StringRef name) {
  std::string key = name.str();
  Handle dataset(H5Dopen2(group, key.c_str(), H5P_DEFAULT), H5Dclose);
  if (!dataset.valid())
    return makeError("cannot open dataset");
  Handle space(H5Dget_space(dataset.get()), H5Sclose);
  Handle fileType(H5Dget_type(dataset.get()), H5Tclose);
  Expected<llvm::SmallVector<int64_t>> shape = readShape(space.get());
  if (!shape)
    return shape.takeError();

  Array array;
  array.shape = std::move(*shape);
  int64_t count = array.numElements();
  H5T_class_t typeClass = H5Tget_class(fileType.get());
  if (typeClass == H5T_STRING) {
    array.isString = true;
    if (count == 0)
      return array;
    auto read = [&](hid_t memType, void *buffer) {
      return H5Dread(dataset.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                     buffer);
    };
    if (Error error = readStrings(fileType.get(), count, read, array.strings))
      return std::move(error);
    return array;
  }
  if (typeClass != H5T_FLOAT && typeClass != H5T_INTEGER)
    return makeError("holds neither numbers nor strings");

  // float32 values are taken as the shortest decimal that reads back as the
  // same float32: the number the exporter meant, 0.0025 rather than
  // 0.0024999999441206455.
  array.numbers.resize(count);
  if (typeClass == H5T_FLOAT && H5Tget_size(fileType.get()) == 4) {
    std::vector<float> singles(count);
    if (count > 0 && H5Dread(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL,
                             H5P_DEFAULT, singles.data()) < 0)
      return makeError("cannot read its values (unsupported compression?)");
    for (int64_t i = 0; i < count; ++i)
      array.numbers[i] = shortestDecimal(singles[i]);
    return array;
  }

  // The library converts int64 and the rest to double on read and undoes
  // gzip or any other filter it was built with.
  if (count > 0 && H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
                           H5P_DEFAULT, array.numbers.data()) < 0)
    return makeError("cannot read its values (unsupported compression?)");
  return array;
}

Expected<Array> snnc::nir::readAttribute(hid_t object, StringRef name) {
  std::string key = name.str();
  Handle attribute(H5Aopen(object, key.c_str(), H5P_DEFAULT), H5Aclose);
  if (!attribute.valid())
    return makeError("cannot open attribute");
  Handle space(H5Aget_space(attribute.get()), H5Sclose);
  Handle fileType(H5Aget_type(attribute.get()), H5Tclose);
  Expected<llvm::SmallVector<int64_t>> shape = readShape(space.get());
  if (!shape)
    return shape.takeError();

  Array array;
  array.shape = std::move(*shape);
  int64_t count = array.numElements();
  if (H5Tget_class(fileType.get()) != H5T_STRING) {
    array.numbers.resize(count);
    if (count > 0 &&
        H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, array.numbers.data()) < 0)
      return makeError("cannot read its values");
    return array;
  }
  array.isString = true;
  auto read = [&](hid_t memType, void *buffer) {
    return H5Aread(attribute.get(), memType, buffer);
  };
  if (Error error = readStrings(fileType.get(), count, read, array.strings))
    return std::move(error);
  return array;
}

Handle snnc::nir::createGroup(hid_t parent, StringRef name) {
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  return Handle(H5Gcreate2(parent, name.str().c_str(), lcpl.get(), H5P_DEFAULT,
                           H5P_DEFAULT),
                H5Gclose);
}

/// Creates a dataset of `shape`, chunked and gzip compressed when it is an
/// array with elements.
static Handle createDataset(hid_t group, StringRef name, hid_t type,
                            llvm::ArrayRef<int64_t> shape, bool compress) {
  llvm::SmallVector<hsize_t> dims(shape.begin(), shape.end());
  Handle space(shape.empty()
                   ? H5Screate(H5S_SCALAR)
                   : H5Screate_simple(dims.size(), dims.data(), nullptr),
               H5Sclose);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  bool empty = llvm::is_contained(shape, 0);
  if (compress && !shape.empty() && !empty) {
    H5Pset_chunk(dcpl.get(), dims.size(), dims.data());
    H5Pset_deflate(dcpl.get(), 4);
  }
  return Handle(H5Dcreate2(group, name.str().c_str(), type, space.get(),
                           H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                H5Dclose);
}

Error snnc::nir::writeStrings(hid_t group, StringRef name,
                              llvm::ArrayRef<int64_t> shape,
                              llvm::ArrayRef<std::string> values) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  Handle dataset = createDataset(group, name, type.get(), shape, false);
  if (!dataset.valid())
    return makeError("cannot create dataset '" + name + "'");
  std::vector<const char *> pointers;
  for (const std::string &value : values)
    pointers.push_back(value.c_str());
  if (!pointers.empty() && H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL,
                                    H5P_DEFAULT, pointers.data()) < 0)
    return makeError("cannot write dataset '" + name + "'");
  return Error::success();
}

Error snnc::nir::writeDoubles(hid_t group, StringRef name,
                              llvm::ArrayRef<int64_t> shape,
                              llvm::ArrayRef<double> values) {
  Handle dataset =
      createDataset(group, name, H5T_IEEE_F64LE, shape, /*compress=*/true);
  if (!dataset.valid())
    return makeError("cannot create dataset '" + name + "'");
  if (!values.empty() && H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL,
                                  H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    return makeError("cannot write dataset '" + name + "'");
  return Error::success();
}

Error snnc::nir::writeInts(hid_t group, StringRef name,
                           llvm::ArrayRef<int64_t> shape,
                           llvm::ArrayRef<int64_t> values) {
  Handle dataset =
      createDataset(group, name, H5T_STD_I64LE, shape, /*compress=*/false);
  if (!dataset.valid())
    return makeError("cannot create dataset '" + name + "'");
  if (!values.empty() && H5Dwrite(dataset.get(), H5T_NATIVE_INT64, H5S_ALL,
                                  H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    return makeError("cannot write dataset '" + name + "'");
  return Error::success();
}
