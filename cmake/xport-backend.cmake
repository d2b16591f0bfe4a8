# xport_add_backend: defines one of xport's optional library backends, xport::blas
# (OpenBLAS, xport-blas.cmake) or xport::sleef (SLEEF, xport-sleef.cmake), once the caller
# has found the library:
#
#   xport_add_backend(<name> <definition> "<libraries>" "<include dirs>" <what>)
#
# xport::<name> is an INTERFACE IMPORTED target that adds the include directories, links
# xport::xport and the libraries, and defines <definition> (XPORT_HAS_CBLAS=1, ...).
#
# Visibility: in the build tree (add_subdirectory(xport)) it is GLOBAL, visible from every
# directory of the consumer like the real target behind xport::xport; a directory-scoped
# one would exist only inside xport's own directory ("target xport::blas was not found").
# From the installed package it is scoped like every target find_package imports: to the
# calling directory, or GLOBAL when the consumer sets CMAKE_FIND_PACKAGE_TARGETS_GLOBAL.
function(xport_add_backend name definition libraries include_dirs what)
  set(scope)
  get_target_property(in_package xport::xport IMPORTED)
  if(NOT in_package OR CMAKE_FIND_PACKAGE_TARGETS_GLOBAL)
    set(scope GLOBAL)
  endif()
  add_library(xport::${name} INTERFACE IMPORTED ${scope})
  set_target_properties(xport::${name} PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${include_dirs}"
    INTERFACE_LINK_LIBRARIES "xport::xport;${libraries}"
    INTERFACE_COMPILE_DEFINITIONS "${definition}")
  if(NOT xport_${name}_reported)
    message(STATUS "xport: ${what} found (${libraries}); target xport::${name} is available")
    set(xport_${name}_reported ON CACHE INTERNAL "")
  endif()
endfunction()
