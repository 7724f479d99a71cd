# `cpack` in the build folder (scripts/package.sh) builds archibald-realtime_<version>_amd64.deb:
# both binaries, the hardened systemd unit, the documented settings as a conffile, the README.
include(GNUInstallDirs)
install(TARGETS archibald-realtime archibald-load RUNTIME DESTINATION bin)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/archibald-realtime.service
        DESTINATION lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/archibald-realtime.env
        DESTINATION /etc/archibald-realtime PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/deploy/nginx.conf
        DESTINATION share/doc/archibald-realtime)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME archibald-realtime)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "Archibald Realtime maintainers <realtime@archibald.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Real-time multi-device sync server (HTTP + WebSocket) and its load generator")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # archibald-realtime_<version>_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # the libraries the binaries link, from dpkg-shlibdeps
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/debian/conffiles ${CMAKE_SOURCE_DIR}/packaging/debian/postinst
    ${CMAKE_SOURCE_DIR}/packaging/debian/prerm ${CMAKE_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
