#include <kibitz/util/base64.hpp>
#include <kibitz/util/random.hpp>

#include <cerrno>
#include <sys/random.h>
#include <system_error>

namespace kibitz::util {

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    std::size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(out.data() + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "getrandom");
        }
        got += static_cast<std::size_t>(r);
    }
    return out;
}

std::string random_id(std::size_t bits) {
    return base64url_encode(random_bytes((bits + 7) / 8));
}

} // namespace kibitz::util
