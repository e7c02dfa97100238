#pragma once

// The one JSON type of the project (nlohmann::json, from Debian's nlohmann-json3-dev).
#include <nlohmann/json.hpp>

namespace kibitz {

using json = nlohmann::json;

} // namespace kibitz
