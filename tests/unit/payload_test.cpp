// Payload helpers: UTF-8 validation, base64 both ways, JSON parsing that never throws.
#include <doctest/doctest.h>

#include "core/base/payload.h"

using namespace iotctl;

TEST_CASE("utf8") {
    CHECK(base::is_valid_utf8(""));
    CHECK(base::is_valid_utf8("plain ascii"));
    CHECK(base::is_valid_utf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));  // été € 😀
    CHECK(base::is_valid_utf8(std::string("a\0b", 3)));
    CHECK_FALSE(base::is_valid_utf8("\xff"));
    CHECK_FALSE(base::is_valid_utf8("\xc3"));              // truncated
    CHECK_FALSE(base::is_valid_utf8("\xc0\xaf"));          // overlong '/'
    CHECK_FALSE(base::is_valid_utf8("\xe0\x80\xaf"));      // overlong
    CHECK_FALSE(base::is_valid_utf8("\xed\xa0\x80"));      // surrogate D800
    CHECK_FALSE(base::is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
    CHECK_FALSE(base::is_valid_utf8("\xe2\x82"));          // truncated 3-byte
    CHECK_FALSE(base::is_valid_utf8("\x80"));              // lone continuation
}

TEST_CASE("base64 round trip and RFC 4648 vectors") {
    CHECK(base::base64_encode("") == "");
    CHECK(base::base64_encode("f") == "Zg==");
    CHECK(base::base64_encode("fo") == "Zm8=");
    CHECK(base::base64_encode("foo") == "Zm9v");
    CHECK(base::base64_encode("foob") == "Zm9vYg==");
    CHECK(base::base64_encode("fooba") == "Zm9vYmE=");
    CHECK(base::base64_encode("foobar") == "Zm9vYmFy");
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    auto back = base::base64_decode(base::base64_encode(all));
    REQUIRE(back.ok());
    CHECK(*back == all);
    CHECK(*base::base64_decode("Zm9vYg==") == "foob");
}

TEST_CASE("base64 rejects garbage") {
    CHECK(base::base64_decode("Zm9v!").error().message == "invalid base64 at offset 4");
    CHECK(base::base64_decode("Zm9").error().message == "invalid base64 length");
    CHECK(base::base64_decode("Zg=a").ok() == false);
    CHECK(base::base64_decode("Z===").ok() == false);
}

TEST_CASE("json payloads never throw") {
    CHECK(base::parse_json_payload("{\"a\":1}")->at("a") == 1);
    CHECK(base::parse_json_payload("42") == nlohmann::json(42));
    CHECK_FALSE(base::parse_json_payload("online"));
    CHECK_FALSE(base::parse_json_payload("{\"board\":\"A\",\"temperature\":"));
    CHECK_FALSE(base::parse_json_payload("{\"t\":NaN}"));
    CHECK_FALSE(base::parse_json_payload(""));
    CHECK_FALSE(base::parse_json_payload("\xff\xfe"));
    auto strict = base::parse_json_strict("{\"a\":");
    REQUIRE_FALSE(strict.ok());
    CHECK(strict.error().message ==
          "invalid JSON at byte 6: syntax error while parsing value - unexpected end of input; "
          "expected '[', '{', or a literal");
    CHECK(base::parse_json_strict("[1,2]").ok());
}

TEST_CASE("dump_json replaces invalid UTF-8 instead of throwing") {
    nlohmann::json j = {{"k", std::string("a\xff")}};
    CHECK(base::dump_json(j) == "{\"k\":\"a\xef\xbf\xbd\"}");
    CHECK(base::dump_json(nlohmann::json::parse("{\"b\":[1,2.5,\"x\"]}")) ==
          "{\"b\":[1,2.5,\"x\"]}");
}

TEST_CASE("printable escapes control characters and bytes that are not UTF-8") {
    CHECK(base::printable("plain é text") == "plain é text");
    CHECK(base::printable("a\x1b[2Jb\x7f") == "a\\x1B[2Jb\\x7F");
    CHECK(base::printable("bad\xff\xc3") == "bad\\xFF\\xC3");
    CHECK(base::printable("c1\xc2\x9b") == "c1\\xC2\\x9B");  // U+009B acts as CSI on terminals
    CHECK(base::printable(std::string(10, 'x'), 4) == "xxxx...");
    auto e = base::parse_json_strict("{\xff\xfe}");
    REQUIRE_FALSE(e.ok());
    CHECK(base::is_valid_utf8(e.error().message));
}
