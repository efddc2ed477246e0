# What `cmake --install build --prefix P` (and cpack, with P=/usr) puts where:
#   P/bin/iotctl
#   P/share/man/man1/*.1, P/share/man/man5/*.5
#   P/share/bash-completion/completions/iotctl      (bash-completion loads it on first Tab)
#   P/share/zsh/vendor-completions/_iotctl          (in zsh's $fpath on Debian)
#   P/share/fish/vendor_completions.d/iotctl.fish   (in fish's $fish_complete_path)
#   P/lib/systemd/system/iotctl-ingest.service      (ExecStart names P/bin/iotctl)
#   P/share/doc/iotctl/README.md, P/share/doc/iotctl/docs/*.md (as in the repository, so the
#   README's links to docs/ hold)
include(GNUInstallDirs)

install(TARGETS iotctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

file(GLOB k_man1_pages CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/man/*.1)
file(GLOB k_man5_pages CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/man/*.5)
install(FILES ${k_man1_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${k_man5_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)

install(FILES ${CMAKE_SOURCE_DIR}/completions/iotctl.bash
    DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME iotctl)
install(FILES ${CMAKE_SOURCE_DIR}/completions/_iotctl
    DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${CMAKE_SOURCE_DIR}/completions/iotctl.fish
    DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

# The unit in the repository says ExecStart=/usr/bin/iotctl (where the .deb puts it); after
# installing it, that path is rewritten to the binary this install put in place, so that a
# --prefix /usr/local install gets a unit that runs /usr/local/bin/iotctl.
set(k_systemd_unit_dir lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/scripts/iotctl-ingest.service DESTINATION ${k_systemd_unit_dir})
string(CONFIGURE [[
  set(unit "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/@k_systemd_unit_dir@/iotctl-ingest.service")
  file(READ "${unit}" text)
  string(REGEX REPLACE "(\nExecStart=)[^ \n]*/iotctl( |\n)"
         "\\1${CMAKE_INSTALL_PREFIX}/@CMAKE_INSTALL_BINDIR@/iotctl\\2" patched "${text}")
  if(NOT patched STREQUAL text)
    file(WRITE "${unit}" "${patched}")
  endif()
]] k_patch_unit @ONLY)
install(CODE "${k_patch_unit}")

file(GLOB k_docs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${k_docs} DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
