//===- Json.cpp - A small JSON writer for reports -------------------------===//

#include "runtime/Json.h"

#include <cmath>
#include <cstdio>

namespace snnc::runtime {

std::string jsonQuote(std::string_view text) {
  std::string quoted = "\"";
  for (char character : text) {
    auto byte = static_cast<unsigned char>(character);
    switch (character) {
    case '"':
      quoted += "\\\"";
      break;
    case '\\':
      quoted += "\\\\";
      break;
    case '\b':
      quoted += "\\b";
      break;
    case '\f':
      quoted += "\\f";
      break;
    case '\n':
      quoted += "\\n";
      break;
    case '\r':
      quoted += "\\r";
      break;
    case '\t':
      quoted += "\\t";
      break;
    default:
      // Other control characters must be escaped; bytes from 0x80 up are
      // passed through, so UTF-8 text stays UTF-8.
      if (byte < 0x20) {
        char escape[8];
        std::snprintf(escape, sizeof escape, "\\u%04x", byte);
        quoted += escape;
      } else {
        quoted += character;
      }
    }
  }
  return quoted + "\"";
}

std::string jsonNumber(double value) {
  if (!std::isfinite(value))
    return "null";
  // 17 significant digits identify every double uniquely; %g never
  // produces a form JSON rejects for a finite value.
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

void JsonWriter::fail(const std::string &message) {
  if (error_.empty())
    error_ = message;
}

void JsonWriter::newline() {
  if (indent <= 0)
    return;
  text += '\n';
  text.append(stack.size() * static_cast<size_t>(indent), ' ');
}

bool JsonWriter::beforeValue() {
  if (!error_.empty())
    return false;
  if (stack.empty()) {
    if (done) {
      fail("json: a second top-level value");
      return false;
    }
    return true;
  }
  if (stack.back() == Scope::Object) {
    if (!keyPending) {
      fail("json: a value inside an object needs a key first");
      return false;
    }
    keyPending = false;
    return true;
  }
  if (nonEmpty.back())
    text += ',';
  nonEmpty.back() = true;
  newline();
  return true;
}

JsonWriter &JsonWriter::key(std::string_view name) {
  if (!error_.empty())
    return *this;
  if (stack.empty() || stack.back() != Scope::Object || keyPending) {
    fail("json: key '" + std::string(name) +
         "' outside an object or after "
         "another key");
    return *this;
  }
  if (nonEmpty.back())
    text += ',';
  nonEmpty.back() = true;
  newline();
  text += jsonQuote(name);
  text += indent > 0 ? ": " : ":";
  keyPending = true;
  return *this;
}

JsonWriter &JsonWriter::beginObject() {
  if (beforeValue()) {
    text += '{';
    stack.push_back(Scope::Object);
    nonEmpty.push_back(false);
  }
  return *this;
}

JsonWriter &JsonWriter::beginArray() {
  if (beforeValue()) {
    text += '[';
    stack.push_back(Scope::Array);
    nonEmpty.push_back(false);
  }
  return *this;
}

JsonWriter &JsonWriter::end(Scope scope, char closing) {
  if (!error_.empty())
    return *this;
  if (stack.empty() || stack.back() != scope || keyPending) {
    fail(std::string("json: unbalanced '") + closing + "'");
    return *this;
  }
  bool hadElements = nonEmpty.back();
  stack.pop_back();
  nonEmpty.pop_back();
  if (hadElements)
    newline();
  text += closing;
  if (stack.empty())
    done = true;
  return *this;
}

JsonWriter &JsonWriter::endObject() { return end(Scope::Object, '}'); }
JsonWriter &JsonWriter::endArray() { return end(Scope::Array, ']'); }

JsonWriter &JsonWriter::scalar(const std::string &literal) {
  if (beforeValue()) {
    text += literal;
    if (stack.empty())
      done = true;
  }
  return *this;
}

JsonWriter &JsonWriter::value(double number) {
  return scalar(jsonNumber(number));
}
JsonWriter &JsonWriter::value(int64_t number) {
  return scalar(std::to_string(number));
}
JsonWriter &JsonWriter::value(uint64_t number) {
  return scalar(std::to_string(number));
}
JsonWriter &JsonWriter::value(bool flag) {
  return scalar(flag ? "true" : "false");
}
JsonWriter &JsonWriter::value(std::string_view string) {
  return scalar(jsonQuote(string));
}
JsonWriter &JsonWriter::null() { return scalar("null"); }

JsonWriter &JsonWriter::value(const std::vector<double> &numbers) {
  std::string line = "[";
  for (size_t index = 0; index < numbers.size(); ++index) {
    if (index)
      line += indent > 0 ? ", " : ",";
    line += jsonNumber(numbers[index]);
  }
  line += ']';
  return scalar(line);
}

std::string JsonWriter::str() const {
  return complete() && indent > 0 ? text + "\n" : text;
}

} // namespace snnc::runtime
