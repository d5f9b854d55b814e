// The system libyaml (libyaml-dev, found with pkg-config as yaml-0.1), seen from Swift as the module CYAML.
// Only YAMLNodes imports it, with `internal import`: no libyaml type appears in LossLab's public API.
#include <yaml.h>
