//===- JsonTest.cpp - The JSON report writer ------------------------------===//

#include "runtime/Json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

using namespace snnc::runtime;

// Quotes, backslashes and control characters are escaped; UTF-8 passes.
TEST(JsonTest, Escaping) {
  EXPECT_EQ(jsonQuote("plain"), "\"plain\"");
  EXPECT_EQ(jsonQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(jsonQuote("line\nfeed\ttab\r"), "\"line\\nfeed\\ttab\\r\"");
  EXPECT_EQ(jsonQuote(std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(jsonQuote("\xce\xbcs"), "\"\xce\xbcs\"");
}

// Every double prints with enough digits to read back unchanged.
TEST(JsonTest, NumbersRoundTrip) {
  EXPECT_EQ(jsonNumber(0.1), "0.10000000000000001");
  EXPECT_EQ(jsonNumber(3), "3");
  EXPECT_EQ(jsonNumber(-2.5), "-2.5");
  for (double value : {0.1, 1.0 / 3, -2.0 / 7, 1e300, 4.9e-324, 6.02214076e23,
                       -0.0, std::nextafter(1.0, 2.0)}) {
    std::string text = jsonNumber(value);
    double back = std::strtod(text.c_str(), nullptr);
    EXPECT_EQ(std::memcmp(&back, &value, sizeof value), 0) << text;
  }
  EXPECT_EQ(jsonNumber(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(jsonNumber(-std::numeric_limits<double>::infinity()), "null");
}

TEST(JsonTest, CompactNesting) {
  JsonWriter writer(0);
  writer.beginObject()
      .key("a")
      .beginArray()
      .value(int64_t(1))
      .value(2.5)
      .beginObject()
      .key("b")
      .null()
      .endObject()
      .endArray()
      .member("c", true)
      .member("d", "x<y")
      .key("e")
      .beginArray()
      .endArray()
      .endObject();
  EXPECT_TRUE(writer.complete()) << writer.error();
  EXPECT_EQ(writer.str(),
            "{\"a\":[1,2.5,{\"b\":null}],\"c\":true,\"d\":\"x<y\",\"e\":[]}");
}

TEST(JsonTest, IndentedNesting) {
  JsonWriter writer(2);
  writer.beginObject()
      .member("name", "yinyang")
      .member("epochs", int32_t(3))
      .member("loss", std::vector<double>{0.5, 0.25})
      .key("split")
      .beginObject()
      .member("train", uint64_t(5000))
      .endObject()
      .endObject();
  ASSERT_TRUE(writer.complete()) << writer.error();
  EXPECT_EQ(writer.str(), "{\n"
                          "  \"name\": \"yinyang\",\n"
                          "  \"epochs\": 3,\n"
                          "  \"loss\": [0.5, 0.25],\n"
                          "  \"split\": {\n"
                          "    \"train\": 5000\n"
                          "  }\n"
                          "}\n");
}

// Misuse is reported, not thrown, and stops further output.
TEST(JsonTest, MisuseIsReported) {
  JsonWriter missingKey;
  missingKey.beginObject().value(1.0);
  EXPECT_FALSE(missingKey.complete());
  EXPECT_NE(missingKey.error().find("key"), std::string::npos);

  JsonWriter unbalanced;
  unbalanced.beginArray().endObject();
  EXPECT_NE(unbalanced.error().find("unbalanced"), std::string::npos);

  JsonWriter twoValues;
  twoValues.value(1.0).value(2.0);
  EXPECT_FALSE(twoValues.complete());

  JsonWriter open;
  open.beginArray();
  EXPECT_FALSE(open.complete());
  EXPECT_EQ(open.error(), "");
}
