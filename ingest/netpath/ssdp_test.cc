#include "ingest/netpath/ssdp.h"

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

TEST(SsdpTest, SearchIsAnMSearchForTheTarget) {
  EXPECT_EQ(EncodeSsdpSearch(kIgd1),
            "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "
            "\"ssdp:discover\"\r\nMX: 1\r\nST: "
            "urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\r\n");
}

TEST(SsdpTest, ReadsLocationOfAnIgdAnswerCaseInsensitively) {
  EXPECT_EQ(
      IgdLocation("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\n"
                  "st: urn:schemas-upnp-org:device:InternetGatewayDevice:1"
                  "\r\nLocation: http://100.64.0.1:37869/rootDesc.xml\r\n"
                  "\r\n"),
      "http://100.64.0.1:37869/rootDesc.xml");
}

TEST(SsdpTest, IgnoresOtherDevicesAndNonAnswers) {
  EXPECT_FALSE(
      IgdLocation("HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n"
                  "LOCATION: http://x/\r\n\r\n"));
  EXPECT_FALSE(IgdLocation(EncodeSsdpSearch(kIgd1)));
  EXPECT_FALSE(
      IgdLocation("HTTP/1.1 200 OK\r\nST: " + std::string(kIgd2) + "\r\n\r\n"));
}

}  // namespace
}  // namespace natscope::ingest
