#include "server/reports/webhook_url.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

TEST(WebhookUrlTest, ParsesSchemeHostPortAndPath) {
  auto url = ParseWebhookUrl("http://127.0.0.1:8080/hooks/natscope");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->scheme, "http");
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, "8080");
  EXPECT_EQ(url->path, "/hooks/natscope");
  url = ParseWebhookUrl("HTTPS://reports.example");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->port, "443");
  EXPECT_EQ(url->path, "/");
  url = ParseWebhookUrl("http://reports.example");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->port, "80");
  url = ParseWebhookUrl("https://[::1]:9000/x");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, "9000");
}

TEST(WebhookUrlTest, RefusesWhatItCannotPostTo) {
  EXPECT_FALSE(ParseWebhookUrl("ftp://x").ok());
  EXPECT_FALSE(ParseWebhookUrl("file:///etc/passwd").ok());
  EXPECT_FALSE(ParseWebhookUrl("https://").ok());
  EXPECT_FALSE(ParseWebhookUrl("https://h:0/").ok());
  EXPECT_FALSE(ParseWebhookUrl("https://h:99999/").ok());
  EXPECT_FALSE(ParseWebhookUrl("https://h/a\r\nX-Injected: 1").ok());
  EXPECT_FALSE(ParseWebhookUrl("https://h/a b").ok());
  EXPECT_FALSE(ParseWebhookUrl("https://h\\@evil.example/").ok());
  EXPECT_FALSE(ParseWebhookUrl("https://h%2eexample/").ok());
  EXPECT_FALSE(ParseWebhookUrl("https://[::1%eth0]/").ok());
  auto fragment = ParseWebhookUrl("https://h/in#part");
  ASSERT_TRUE(fragment.ok());
  EXPECT_EQ(fragment->path, "/in");
}

TEST(WebhookUrlTest, UserinfoIsNotPartOfTheHostAndAQueryNeedsNoPath) {
  auto url = ParseWebhookUrl("http://bot:s%40cret@127.0.0.1:8080/in?key=k1");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->userinfo, "bot:s%40cret");
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->path, "/in?key=k1");
  url = ParseWebhookUrl("https://token@hooks.example?key=k1");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "hooks.example");
  EXPECT_EQ(url->path, "/?key=k1");
  // Errors quote the URL redacted.
  auto bad = ParseWebhookUrl("http://bot:secret@h:0/in?key=secret");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(absl::StrContains(bad.status().message(), "secret"))
      << bad.status();
}

TEST(WebhookUrlTest, TheClientGetsTheHostThatWasParsed) {
  auto url = ParseWebhookUrl("https://a@b@[::1]:8443/x?y=1");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(WebhookUrlString(*url), "https://a%40b@[::1]:8443/x?y=1");
  url = ParseWebhookUrl("http://localhost/");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(WebhookUrlString(*url), "http://localhost:80/");
}

TEST(WebhookUrlTest, PlainHttpOnlyToLoopbackUnlessAllowed) {
  for (const char* host :
       {"127.0.0.1", "127.8.9.10", "[::1]", "localhost", "LocalHost"}) {
    auto url = ParseWebhookUrl(std::string("http://") + host + ":9/in");
    ASSERT_TRUE(url.ok()) << host;
    EXPECT_TRUE(CheckWebhookTransport(*url, false).ok()) << host;
  }
  for (const char* host :
       {"10.0.0.1", "hooks.example", "[::2]", "localhost.evil.example"}) {
    auto url =
        ParseWebhookUrl(std::string("http://") + host + "/in?token=t0ken");
    ASSERT_TRUE(url.ok()) << host;
    const absl::Status refused = CheckWebhookTransport(*url, false);
    EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument) << host;
    EXPECT_TRUE(absl::StrContains(refused.message(), "https://")) << refused;
    EXPECT_FALSE(absl::StrContains(refused.message(), "t0ken")) << refused;
    EXPECT_TRUE(CheckWebhookTransport(*url, true).ok()) << host;
  }
  auto https = ParseWebhookUrl("https://hooks.example/in");
  ASSERT_TRUE(https.ok());
  EXPECT_TRUE(CheckWebhookTransport(*https, false).ok());
}

TEST(WebhookUrlTest, RedactionHidesUserinfoQueryFragmentAndPathSecrets) {
  const struct {
    const char* url;
    const char* redacted;
  } cases[] = {
      {"http://bot:pw@127.0.0.1:9/hook?token=abc",
       "http://REDACTED@127.0.0.1:9/hook?REDACTED"},
      {"http://h/p?a=1#frag", "http://h/p?REDACTED#REDACTED"},
      {"http://h/p#frag?x=1", "http://h/p#REDACTED"},
      {"http://u@h?q", "http://REDACTED@h?REDACTED"},
      {"http://a@b@[::1]:80/x", "http://REDACTED@[::1]:80/x"},
      {"https://hooks.slack.com/services/T0001/B0002/XXXXXXXXXXXXXXXXXXXXXXXX",
       "https://hooks.slack.com/services/REDACTED"},
      {"https://discord.com/api/webhooks/123/tok-en",
       "https://discord.com/api/REDACTED"},
      {"https://webhook.site/0e5e1c8a-8d7b-4b9e-9d0a-6a2f1f6c3b11",
       "https://webhook.site/REDACTED"},
      {"https://h:8443/hooks/", "https://h:8443/hooks/"},
      {"http://h:8080/plain/path", "http://h:8080/plain/REDACTED"},
      {"http://h", "http://h"},
      {"http://h/", "http://h/"},
      {"not a url?secret", "REDACTED"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(RedactWebhookUrl(c.url), c.redacted) << c.url;
}

TEST(WebhookUrlTest, LocationsAreRedactedLikeUrls) {
  EXPECT_EQ(
      RedactWebhookLocation("https://other.example/services/T/B/SECRET?x=1"),
      "https://other.example/services/REDACTED?REDACTED");
  EXPECT_EQ(RedactWebhookLocation("/services/T/B/SECRET"),
            "/services/REDACTED");
  EXPECT_EQ(RedactWebhookLocation("//evil.example/x"), "REDACTED");
  EXPECT_EQ(RedactWebhookLocation("relative/SECRET"), "REDACTED");
}

TEST(WebhookUrlTest, ScrubbingRemovesEverySecretPartFromText) {
  const std::string url =
      "https://bot:pa55word@hooks.example/services/T0001/"
      "XXXXSECRETXXXX?token=t0ken42";
  const std::string text =
      "Cannot POST /services/T0001/XXXXSECRETXXXX?token=t0ken42 for "
      "bot:pa55word "
      "(token t0ken42, pass pa55word)";
  const std::string scrubbed = ScrubWebhookSecrets(url, text);
  for (const char* secret :
       {"XXXXSECRETXXXX", "T0001", "t0ken42", "pa55word"}) {
    EXPECT_FALSE(absl::StrContains(scrubbed, secret)) << scrubbed;
  }
  EXPECT_TRUE(absl::StrContains(scrubbed, "Cannot POST /services/"))
      << scrubbed;
  EXPECT_EQ(ScrubWebhookSecrets("https://h/hook", "no secret here"),
            "no secret here");
}

}  // namespace
}  // namespace natscope::server
