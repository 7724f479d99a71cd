// Bearer-token checks for REST routes (DESIGN §2.1): 401 without a valid token, 403 without
// the role. Pure apart from counting failures; any thread.
#pragma once

#include <initializer_list>
#include <optional>
#include <string_view>

#include "auth/jwt.hpp"
#include "http/http_types.hpp"
#include "http/server_context.hpp"

namespace archibald {

// "Bearer <token>" → token; anything else → empty.
std::string_view bearer_token(std::string_view authorization);

// On success returns the claims and leaves `denied` untouched; on failure fills `denied`.
std::optional<jwt_claims> authorize(const http_request& request, const server_context& ctx,
                                    std::initializer_list<user_role> roles, http_response& denied);

}  // namespace archibald
