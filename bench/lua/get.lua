-- get.lua - GET a path picked at random from BENCH_PATHS (a file, one path
-- a line), with the session cookie of BENCH_COOKIE (e.g. "sid=...") when
-- set.  Random paths so a case detail or a search does not hit one cached
-- row over and over.  done() prints one machine-readable line
-- "BENCH rps p50 p95 p99 requests" (ms) for bench/scenarios.sh.
local paths = {}
local cookie = os.getenv("BENCH_COOKIE")

-- each thread gets its own seed, or both would send the same sequence
local nthreads = 0
function setup(thread)
    nthreads = nthreads + 1
    thread:set("tid", nthreads)
end

function init(args)
    local f = assert(io.open(os.getenv("BENCH_PATHS"), "r"))
    for line in f:lines() do
        if line ~= "" then paths[#paths + 1] = line end
    end
    f:close()
    assert(#paths > 0, "BENCH_PATHS is empty")
    math.randomseed(os.time() * 100 + (tid or 0))
end

function request()
    local headers = {}
    if cookie and cookie ~= "" then headers["Cookie"] = cookie end
    return wrk.format("GET", paths[math.random(#paths)], headers)
end

function done(summary, latency, requests)
    local secs = summary.duration / 1e6
    io.write(string.format("BENCH %.1f %.3f %.3f %.3f %d\n",
        summary.requests / secs, latency:percentile(50) / 1000,
        latency:percentile(95) / 1000, latency:percentile(99) / 1000,
        summary.requests))
end
