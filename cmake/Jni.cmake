# Jni.cmake: finds the JDK's jni.h and jni_md.h and defines the interface target c4j::jni_headers.
#
# Only the headers: the hand-written exports in native/cpu/jni.cpp call the JVM through the JNIEnv
# function table, so nothing links against libjvm. CMake's FindJNI also hunts for libjvm and AWT,
# which a headless JDK image may lack; this looks where the JDK that runs the build keeps them.
# Search order: -DJAVA_HOME (the Maven build passes ${java.home}), $ENV{JAVA_HOME}, then the JDK
# that owns the javac on PATH.

set(_c4j_jdk_candidates "")
if(JAVA_HOME)
  list(APPEND _c4j_jdk_candidates "${JAVA_HOME}")
endif()
if(DEFINED ENV{JAVA_HOME})
  list(APPEND _c4j_jdk_candidates "$ENV{JAVA_HOME}")
endif()
find_program(C4J_JAVAC javac)
if(C4J_JAVAC)
  get_filename_component(_c4j_javac_real "${C4J_JAVAC}" REALPATH)
  get_filename_component(_c4j_javac_bin "${_c4j_javac_real}" DIRECTORY)
  get_filename_component(_c4j_javac_jdk "${_c4j_javac_bin}" DIRECTORY)
  list(APPEND _c4j_jdk_candidates "${_c4j_javac_jdk}")
endif()

set(_c4j_jni_hints "")
foreach(_jdk IN LISTS _c4j_jdk_candidates)
  list(APPEND _c4j_jni_hints "${_jdk}/include")
endforeach()

find_path(C4J_JNI_INCLUDE_DIR jni.h HINTS ${_c4j_jni_hints} NO_DEFAULT_PATH)
if(C4J_JNI_INCLUDE_DIR)
  find_path(C4J_JNI_MD_INCLUDE_DIR jni_md.h HINTS "${C4J_JNI_INCLUDE_DIR}/linux" NO_DEFAULT_PATH)
endif()
if(NOT C4J_JNI_INCLUDE_DIR OR NOT C4J_JNI_MD_INCLUDE_DIR)
  message(FATAL_ERROR "convnet4j: jni.h and linux/jni_md.h not found; looked in [${_c4j_jni_hints}]. "
                      "Pass -DJAVA_HOME=<a JDK, not a JRE> or set the JAVA_HOME environment variable.")
endif()
message(STATUS "convnet4j: JNI headers from ${C4J_JNI_INCLUDE_DIR}")

add_library(c4j_jni_headers INTERFACE)
target_include_directories(c4j_jni_headers SYSTEM INTERFACE "${C4J_JNI_INCLUDE_DIR}" "${C4J_JNI_MD_INCLUDE_DIR}")
add_library(c4j::jni_headers ALIAS c4j_jni_headers)
