// A fixture for the layering check's own test: an include in the allowed direction.
#include "store/sync_store.hpp"
