// iotctl: the entry point. Everything else lives in cmd/app.cpp and core/.
#include "cmd/app.h"
#include "core/base/stop_signal.h"

int main(int argc, char** argv) {
    iotctl::base::install_signal_handling();
    return iotctl::cli::run_app(argc, argv);
}
