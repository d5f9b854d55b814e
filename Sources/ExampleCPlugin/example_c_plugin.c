// An example LossLab plugin in C: `cubic_hinge`, the mean of max(0, m - d)^3 (pairwise), with a `scale`
// parameter that multiplies the loss.
#include <math.h>
#include <stdio.h>
#include <losslab_plugin.h>

static int32_t cubic_hinge(const double *positives, const double *negatives, const double *margins, int64_t rows,
                           int64_t columns, const double *parameters, double *value, double *positive_gradients,
                           double *negative_gradients, char *message, int64_t message_capacity) {
  if (rows != 1) {
    snprintf(message, (size_t)message_capacity, "cubic_hinge takes one negative per positive, got %lld rows",
             (long long)rows);
    return 1;
  }
  double scale = parameters[0];
  double sum = 0;
  for (int64_t j = 0; j < columns; j++) {
    double x = margins[j] - (positives[j] - negatives[j]);
    double l = x > 0 ? x * x * x : 0;
    sum += l;
    if (positive_gradients) {
      double g = x > 0 ? -3 * x * x * scale / (double)columns : 0;
      positive_gradients[j] = g;
      negative_gradients[j] = -g;
    }
  }
  *value = scale * sum / (double)columns;
  return 0;
}

static const losslab_parameter cubic_parameters[] = {
    {"scale", 1.0, 0.0, 100.0, "multiplies the loss"},
};

static const losslab_loss losses[] = {
    {"cubic_hinge", "mean of max(0, m - d)^3 (a C plugin)", LOSSLAB_PAIRWISE, 1, cubic_parameters, cubic_hinge},
};

static const losslab_plugin plugin = {LOSSLAB_PLUGIN_ABI_VERSION, 1, losses};

const losslab_plugin *losslab_plugin_entry(void) { return &plugin; }
