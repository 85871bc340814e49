//===- snn-nir-testgen.cpp - Small NIR files for the tests ----------------===//
//
// Writes an HDF5 file from a few lines of text, so that a lit test can hold
// the NIR file it feeds to snn-translate, good or bad, in readable form.
// Only lines containing `<PREFIX>:` are read (PREFIX is NIR unless
// --prefix says otherwise); the text after it is one command:
//
//   group  PATH                     create a group (parents as needed)
//   str    PATH TEXT                variable-length UTF-8 string dataset
//   fstr   PATH TEXT                fixed-length ASCII string dataset
//   attr   PATH NAME TEXT           variable-length string attribute
//   f32|f64|i64 PATH DIMS V...      numeric dataset; DIMS is `scalar` or
//                                   `2x3`; arrays are gzip compressed
//   edges  PATH A>B C>D ...         N x 2 variable-length edge list
//   fedges PATH A>B C>D ...         the same with fixed-length strings
//
// Built for the tests only; it is not installed.
//
//===----------------------------------------------------------------------===//

#include "lib/NIR/HDF5.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/WithColor.h"

#include <string>
#include <vector>

using namespace snnc::nir;
using llvm::StringRef;

static llvm::cl::opt<std::string> inputFile(llvm::cl::Positional,
                                            llvm::cl::desc("<description>"),
                                            llvm::cl::Required);
static llvm::cl::opt<std::string> outputFile("o", llvm::cl::desc("output file"),
                                             llvm::cl::Required);
static llvm::cl::opt<std::string>
    prefix("prefix", llvm::cl::desc("marker of the lines to read"),
           llvm::cl::init("NIR"));

/// Splits `path` into its parent group (created as needed) and leaf name.
static Handle parentOf(hid_t file, StringRef path, StringRef &leaf) {
  auto [parent, name] = path.rsplit('/');
  leaf = name;
  if (parent.empty())
    return Handle(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose);
  std::string key = parent.str();
  if (H5Lexists(file, key.c_str(), H5P_DEFAULT) > 0)
    return Handle(H5Gopen2(file, key.c_str(), H5P_DEFAULT), H5Gclose);
  return createGroup(file, parent);
}

/// A string type: variable-length UTF-8 or fixed-length ASCII of `width`.
static Handle stringType(bool fixed, size_t width) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  if (fixed) {
    H5Tset_size(type.get(), std::max<size_t>(width, 1));
    H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
  } else {
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
  }
  return type;
}

/// Writes strings of the given shape, fixed or variable length.
static bool writeText(hid_t file, StringRef path, bool fixed,
                      llvm::ArrayRef<hsize_t> dims,
                      llvm::ArrayRef<std::string> values) {
  StringRef leaf;
  Handle parent = parentOf(file, path, leaf);
  size_t width = 1;
  for (const std::string &value : values)
    width = std::max(width, value.size());
  Handle type = stringType(fixed, width);
  Handle space(dims.empty()
                   ? H5Screate(H5S_SCALAR)
                   : H5Screate_simple(dims.size(), dims.data(), nullptr),
               H5Sclose);
  Handle dataset(H5Dcreate2(parent.get(), leaf.str().c_str(), type.get(),
                            space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                 H5Dclose);
  if (!dataset.valid())
    return false;
  if (fixed) {
    std::vector<char> buffer(width * values.size(), '\0');
    for (size_t i = 0; i < values.size(); ++i)
      std::copy(values[i].begin(), values[i].end(), buffer.begin() + i * width);
    return H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                    buffer.data()) >= 0;
  }
  std::vector<const char *> pointers;
  for (const std::string &value : values)
    pointers.push_back(value.c_str());
  return H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                  pointers.data()) >= 0;
}

/// Writes a numeric dataset stored as `fileType`.
static bool writeNumbers(hid_t file, StringRef path, hid_t fileType,
                         llvm::ArrayRef<hsize_t> dims,
                         llvm::ArrayRef<double> values) {
  StringRef leaf;
  Handle parent = parentOf(file, path, leaf);
  Handle space(dims.empty()
                   ? H5Screate(H5S_SCALAR)
                   : H5Screate_simple(dims.size(), dims.data(), nullptr),
               H5Sclose);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (!dims.empty() && !llvm::is_contained(dims, 0)) {
    H5Pset_chunk(dcpl.get(), dims.size(), dims.data());
    H5Pset_deflate(dcpl.get(), 4);
  }
  Handle dataset(H5Dcreate2(parent.get(), leaf.str().c_str(), fileType,
                            space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                 H5Dclose);
  if (!dataset.valid())
    return false;
  return values.empty() || H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL,
                                    H5S_ALL, H5P_DEFAULT, values.data()) >= 0;
}

/// Runs one command; returns an error message or an empty string.
static std::string runCommand(hid_t file, llvm::ArrayRef<StringRef> words) {
  StringRef command = words[0];
  if (words.size() < 2)
    return "missing path";
  StringRef path = words[1];

  if (command == "group")
    return createGroup(file, path).valid() ? "" : "cannot create group";

  if (command == "str" || command == "fstr") {
    std::string text = llvm::join(words.drop_front(2), " ");
    return writeText(file, path, command == "fstr", {}, {text})
               ? ""
               : "cannot write string";
  }

  if (command == "attr") {
    if (words.size() < 4)
      return "attr needs PATH NAME TEXT";
    std::string text = llvm::join(words.drop_front(3), " ");
    Handle group =
        H5Lexists(file, path.str().c_str(), H5P_DEFAULT) > 0
            ? Handle(H5Gopen2(file, path.str().c_str(), H5P_DEFAULT), H5Gclose)
            : createGroup(file, path);
    Handle type = stringType(false, 0);
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle attribute(H5Acreate2(group.get(), words[2].str().c_str(), type.get(),
                                space.get(), H5P_DEFAULT, H5P_DEFAULT),
                     H5Aclose);
    const char *pointer = text.c_str();
    return attribute.valid() &&
                   H5Awrite(attribute.get(), type.get(), &pointer) >= 0
               ? ""
               : "cannot write attribute";
  }

  if (command == "edges" || command == "fedges") {
    std::vector<std::string> names;
    for (StringRef pair : words.drop_front(2)) {
      auto [from, to] = pair.split('>');
      names.push_back(from.str());
      names.push_back(to.str());
    }
    hsize_t dims[2] = {names.size() / 2, 2};
    return writeText(file, path, command == "fedges", dims, names)
               ? ""
               : "cannot write edges";
  }

  hid_t fileType = command == "f32"   ? H5T_IEEE_F32LE
                   : command == "f64" ? H5T_IEEE_F64LE
                   : command == "i64" ? H5T_STD_I64LE
                                      : H5I_INVALID_HID;
  if (fileType == H5I_INVALID_HID)
    return ("unknown command '" + command + "'").str();
  if (words.size() < 3)
    return "missing dimensions";
  llvm::SmallVector<hsize_t> dims;
  if (words[2] != "scalar") {
    llvm::SmallVector<StringRef> parts;
    words[2].split(parts, 'x');
    for (StringRef part : parts) {
      unsigned long long dim;
      if (part.getAsInteger(10, dim))
        return ("bad dimension '" + part + "'").str();
      dims.push_back(dim);
    }
  }
  std::vector<double> values;
  for (StringRef word : words.drop_front(3)) {
    double value;
    if (word.getAsDouble(value))
      return ("bad number '" + word + "'").str();
    values.push_back(value);
  }
  size_t count = 1;
  for (hsize_t dim : dims)
    count *= dim;
  if (values.size() != count)
    return "expected " + std::to_string(count) + " values, got " +
           std::to_string(values.size());
  return writeNumbers(file, path, fileType, dims, values)
             ? ""
             : "cannot write dataset";
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::cl::ParseCommandLineOptions(argc, argv, "small NIR files for tests\n");
  auto input = llvm::MemoryBuffer::getFile(inputFile);
  if (!input) {
    llvm::WithColor::error()
        << inputFile << ": " << input.getError().message() << "\n";
    return 1;
  }

  silenceHDF5Errors();
  Handle file(
      H5Fcreate(outputFile.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
      H5Fclose);
  if (!file.valid()) {
    llvm::WithColor::error() << outputFile << ": cannot create\n";
    return 1;
  }

  std::string marker = prefix + ":";
  llvm::SmallVector<StringRef> lines;
  (*input)->getBuffer().split(lines, '\n');
  for (auto [index, line] : llvm::enumerate(lines)) {
    size_t at = line.find(marker);
    if (at == StringRef::npos)
      continue;
    llvm::SmallVector<StringRef> words;
    line.drop_front(at + marker.size()).split(words, ' ', -1, false);
    if (words.empty())
      continue;
    std::string error = runCommand(file.get(), words);
    if (!error.empty()) {
      llvm::WithColor::error()
          << inputFile << ":" << index + 1 << ": " << error << "\n";
      return 1;
    }
  }
  return 0;
}
