# `cpack -G DEB` in the build directory makes iotctl_<version>-1_<arch>.deb from what
# cmake/Install.cmake installs, under /usr. Depends is computed by dpkg-shlibdeps (dpkg-dev)
# from the libraries the stripped binary links, so it names the runtime packages of the
# distribution it was built on (Debian 12: libpaho-mqttpp3-1, libcurl4, libmariadb3, ...).
set(IOTCTL_DEB_MAINTAINER "iotctl maintainers <maintainers@users.noreply.h-seed-4d1ac051.example>"
  CACHE STRING "Maintainer field of the .deb")

set(CPACK_PACKAGE_NAME iotctl)
set(CPACK_PACKAGE_VENDOR "iotctl maintainers")
set(CPACK_PACKAGE_CONTACT ${IOTCTL_DEB_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "MQTT tools for IoT teams: subscribe, publish, ingest, record, replay, simulate")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
  OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${IOTCTL_DEB_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The extended description; CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY before it as synopsis.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "\
iotctl is one command-line tool for the everyday work of a team whose devices
speak MQTT: it subscribes and publishes like mosquitto_sub and mosquitto_pub,
ingests MQTT traffic into InfluxDB, MySQL/MariaDB and SQLite with at-least-once
delivery, records captures and replays them, exports CSV, and simulates
hexaboards and Tasmota Zigbee gateways. Man pages, bash/zsh/fish completions and
a systemd unit for the ingest service (not enabled) are included.")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Time zones (ingest --payload-timezone, csv-export --time-format local) read the system tzdata.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "tzdata")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
