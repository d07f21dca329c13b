#ifndef MLOPSD_CYAML_SHIM_H
#define MLOPSD_CYAML_SHIM_H
#include <yaml.h>
#endif
