#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rkt::util {

std::vector<std::string> split(std::string_view text, char separator);
std::string join(const std::vector<std::string>& parts, std::string_view separator);
std::string_view trim(std::string_view text);
bool starts_with(std::string_view text, std::string_view prefix);
bool ends_with(std::string_view text, std::string_view suffix);
std::string to_lower(std::string_view text);
/// "2.65 MB", "473 B": sizes as rkt prints them (decimal units).
std::string human_size(unsigned long long bytes);
/// "79 MiB", "2.7 KiB", "471 B": binary units, as rkt image list prints sizes.
std::string human_size_iec(unsigned long long bytes);

}  // namespace rkt::util
