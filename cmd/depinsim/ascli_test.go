package main

// asCLI is the environment variable that makes the test binary run main
// (TestMain, kill_test.go), so that tests run the CLI as a process of its
// own without building it. It stands in a file of its own, built on every
// system, because tests built everywhere name it.
const asCLI = "DEPINSIM_TEST_RUN_MAIN"
