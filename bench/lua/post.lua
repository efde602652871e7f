-- post.lua - a write: POST (or BENCH_METHOD) to a path picked at random
-- from BENCH_PATHS with the JSON body of BENCH_BODY, the session cookie
-- BENCH_COOKIE and the CSRF token BENCH_CSRF (header X-CSRF-Token), or an
-- API key BENCH_AUTH (a whole "Header: value", e.g. Redmine's
-- "X-Redmine-API-Key: ...").  done() prints the same BENCH line as get.lua.
local paths = {}
local method = os.getenv("BENCH_METHOD") or "POST"
local body = os.getenv("BENCH_BODY") or "{}"
local headers = { ["Content-Type"] = "application/json" }

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
    local cookie, csrf = os.getenv("BENCH_COOKIE"), os.getenv("BENCH_CSRF")
    if cookie and cookie ~= "" then headers["Cookie"] = cookie end
    if csrf and csrf ~= "" then headers["X-CSRF-Token"] = csrf end
    local auth = os.getenv("BENCH_AUTH")
    if auth and auth ~= "" then
        local k, v = auth:match("^([^:]+):%s*(.*)$")
        headers[k] = v
    end
    math.randomseed(os.time() * 100 + (tid or 0))
end

function request()
    return wrk.format(method, paths[math.random(#paths)], headers, body)
end

function done(summary, latency, requests)
    local secs = summary.duration / 1e6
    io.write(string.format("BENCH %.1f %.3f %.3f %.3f %d\n",
        summary.requests / secs, latency:percentile(50) / 1000,
        latency:percentile(95) / 1000, latency:percentile(99) / 1000,
        summary.requests))
end
