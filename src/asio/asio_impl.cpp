// Boost.Asio and Boost.Beast compiled once for the whole project (BOOST_ASIO_SEPARATE_COMPILATION,
// BOOST_BEAST_SEPARATE_COMPILATION), so the translation units that use them stay quick to build.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
