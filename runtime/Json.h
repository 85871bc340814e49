//===- Json.h - A small JSON writer for reports -----------------*- C++ -*-===//
//
// Writes JSON text: objects, arrays, strings with escaping, and numbers that
// read back as the same double (17 significant digits). JSON has no NaN or
// infinity; those are written as null. Misuse (a value where a key is due,
// an unbalanced end) does not throw: the writer remembers the first mistake
// and error() reports it.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_JSON_H
#define SNNC_RUNTIME_JSON_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace snnc::runtime {

/// `text` as a JSON string literal, quotes included.
std::string jsonQuote(std::string_view text);

/// `value` as a JSON number that parses back to the same double, or null
/// when it is not finite.
std::string jsonNumber(double value);

class JsonWriter {
public:
  /// Spaces per nesting level; 0 writes everything on one line.
  explicit JsonWriter(int indent = 2) : indent(indent) {}

  JsonWriter &beginObject();
  JsonWriter &endObject();
  JsonWriter &beginArray();
  JsonWriter &endArray();
  /// The key of the next member; only inside an object.
  JsonWriter &key(std::string_view name);

  JsonWriter &value(double number);
  JsonWriter &value(int32_t number) { return value(int64_t(number)); }
  JsonWriter &value(int64_t number);
  JsonWriter &value(uint64_t number);
  JsonWriter &value(bool flag);
  JsonWriter &value(std::string_view text);
  JsonWriter &value(const char *text) { return value(std::string_view(text)); }
  JsonWriter &value(const std::string &text) {
    return value(std::string_view(text));
  }
  JsonWriter &null();
  /// An array of numbers, kept on one line however deep it is nested.
  JsonWriter &value(const std::vector<double> &numbers);

  /// Shorthand for key(name).value(...).
  template <typename T> JsonWriter &member(std::string_view name, T &&item) {
    key(name);
    return value(std::forward<T>(item));
  }

  /// True once exactly one complete top-level value has been written and
  /// nothing went wrong.
  bool complete() const { return error_.empty() && stack.empty() && done; }
  /// The first misuse, or empty.
  const std::string &error() const { return error_; }
  /// The text so far, ending in a newline when complete.
  std::string str() const;

private:
  enum class Scope : uint8_t { Object, Array };

  /// Separator, line break and indentation before a value; false on misuse.
  bool beforeValue();
  void newline();
  /// Writes one finished scalar or one-line array where a value is due.
  JsonWriter &scalar(const std::string &literal);
  void fail(const std::string &message);
  JsonWriter &end(Scope scope, char closing);

  int indent;
  std::string text;
  std::vector<Scope> stack;
  /// Whether the innermost scope already holds an element.
  std::vector<bool> nonEmpty;
  bool keyPending = false;
  bool done = false;
  std::string error_;
};

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_JSON_H
