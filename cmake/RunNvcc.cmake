# RunNvcc.cmake: run with cmake -DC4J_ARGS_FILE=<file> -P; the build step behind
# c4j_add_cuda_fatbin (CudaFatbin.cmake). Runs nvcc once, fails the build with nvcc's output when it
# fails, and otherwise writes ptxas's -v report to C4J_REPORT, led by a summary of registers and
# spills per kernel and architecture, and echoes it so every build shows the kernels' resource use.

include("${C4J_ARGS_FILE}")  # C4J_NVCC, C4J_NVCC_ARGS, C4J_REPORT

string(TIMESTAMP started "%s")
execute_process(COMMAND "${C4J_NVCC}" ${C4J_NVCC_ARGS}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(TIMESTAMP finished "%s")
math(EXPR seconds "${finished} - ${started}")
set(log "${out}${err}")
if(NOT rc EQUAL 0)
  string(REPLACE ";" " " cmdline "${C4J_NVCC} ${C4J_NVCC_ARGS}")
  message(FATAL_ERROR "nvcc failed (exit ${rc}):\n${cmdline}\n${log}")
endif()

# ptxas prints, per kernel and architecture:
#   Compiling entry function 'c4j_adam_f32' for 'sm_80'
#   ... N bytes stack frame, N bytes spill stores, N bytes spill loads
#   Used N registers, ...
set(summary "")
string(REPLACE "\n" ";" lines "${log}")
foreach(line IN LISTS lines)
  if(line MATCHES "Compiling entry function '([^']+)' for '([^']+)'")
    set(kernel "${CMAKE_MATCH_1}")
    set(arch "${CMAKE_MATCH_2}")
    set(spills "0/0")
    set(stack "0")
  elseif(line MATCHES "([0-9]+) bytes stack frame, ([0-9]+) bytes spill stores, ([0-9]+) bytes spill loads")
    set(stack "${CMAKE_MATCH_1}")
    set(spills "${CMAKE_MATCH_2}/${CMAKE_MATCH_3}")
  elseif(line MATCHES "Used ([0-9]+) registers" AND kernel)
    string(APPEND summary "${arch}  ${kernel}: ${CMAKE_MATCH_1} registers, spill stores/loads ${spills} bytes, stack ${stack} bytes\n")
    set(kernel "")
  endif()
endforeach()

string(REPLACE ";" " " cmdline "${C4J_NVCC} ${C4J_NVCC_ARGS}")
set(text "# ptxas resource report, nvcc ${seconds} s\n# ${cmdline}\n\n## Summary\n${summary}\n## ptxas -v\n${log}")
file(WRITE "${C4J_REPORT}" "${text}")
message("${text}")
