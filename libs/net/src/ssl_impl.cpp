// Asio's separately compiled TLS implementation (BOOST_ASIO_SEPARATE_COMPILATION).
#include <utility>

#include <boost/asio/ssl/impl/src.hpp>
