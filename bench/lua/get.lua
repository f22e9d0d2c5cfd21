-- A plain GET of the URL given on the command line, with the headers from the environment.
package.path = package.path .. ";" .. os.getenv("BENCH_LUA_DIR") .. "/?.lua"
require("common")
