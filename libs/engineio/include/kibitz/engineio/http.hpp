#pragma once

#include <kibitz/http/message.hpp>

namespace kibitz::engineio {

// The HTTP messages this library's API speaks (socket::handshake(), options::allow_request):
// kibitz::http's, under the names engineio code uses.
using header_list = http::header_list;
using http_request = http::request;
using http_response = http::response;
using http_responder = http::responder;
using http::header_name_equals;
using http::percent_decode;

} // namespace kibitz::engineio
