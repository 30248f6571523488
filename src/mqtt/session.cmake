# MQTT session (I/O over Boost.Asio, manual acknowledgement), included by CMakeLists.txt.
# Paths are relative to this folder (target_sources resolves them against it).
target_sources(m2s_mqtt PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/ack_tracker.cc
  ${CMAKE_CURRENT_LIST_DIR}/backoff.cc
  ${CMAKE_CURRENT_LIST_DIR}/broker_rotation.cc
  ${CMAKE_CURRENT_LIST_DIR}/session_options.cc
  ${CMAKE_CURRENT_LIST_DIR}/session_errors.cc
  ${CMAKE_CURRENT_LIST_DIR}/tls_context.cc
  ${CMAKE_CURRENT_LIST_DIR}/session.cc
  ${CMAKE_CURRENT_LIST_DIR}/session_inbound.cc
  ${CMAKE_CURRENT_LIST_DIR}/session_outbound.cc)
target_link_libraries(m2s_mqtt PUBLIC Boost::boost Threads::Threads OpenSSL::SSL)
# GCC 12 at -O2 reports a false -Wnull-dereference inside Boost.Asio 1.74's
# detail/impl/scheduler.ipp (inlined into every file that posts work); not our code.
set(M2S_ASIO_SOURCES session.cc session_inbound.cc session_outbound.cc)
list(TRANSFORM M2S_ASIO_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
set_source_files_properties(${M2S_ASIO_SOURCES} PROPERTIES COMPILE_OPTIONS -Wno-null-dereference)

mqtt2s3_test(NAME ack_tracker_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/ack_tracker_test.cc DEPS m2s_mqtt)
mqtt2s3_test(NAME backoff_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/backoff_test.cc DEPS m2s_mqtt)
mqtt2s3_test(NAME broker_rotation_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/broker_rotation_test.cc DEPS m2s_mqtt)
mqtt2s3_test(NAME session_options_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/session_options_test.cc
  DEPS m2s_mqtt)
mqtt2s3_test(NAME session_read_buffer_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/session_read_buffer_test.cc DEPS m2s_mqtt)
mqtt2s3_test(NAME session_errors_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/session_errors_test.cc
  DEPS m2s_mqtt)
mqtt2s3_test(NAME tls_context_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/tls_context_test.cc
  DEPS m2s_mqtt)
