// A fixture for the layering check's own test: the store reaching up into net and Beast.
#include <boost/beast/core.hpp>

#include "net/websocket_session.hpp"
#include "store/sqlite_store.hpp"
