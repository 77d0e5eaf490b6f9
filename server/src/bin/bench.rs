//! `apio-bench SERVER_BINARY SITE_ROOT`: the figures of the README, in one run on SQLite.
//! Starts the real server as a child process, reads its idle RSS, compares password logins/s
//! with the raw argon2 rate of the same parameters, measures refreshes/s and `GET /me`/s with
//! wrk on loopback, and sums the brotli size of what the login page loads. Prints a report;
//! never a pass/fail verdict (timings belong here, not in tests).

use engine::config::PasswordConfig;
use engine::passwords::Hasher;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "benchmark horse battery staple";
const SECONDS: u64 = 8;
/// Login runs, each between two measures of the raw hash rate.
const LOGIN_RUNS: usize = 3;

fn main() {
    if let Err(e) = run() {
        eprintln!("apio-bench: {e}");
        std::process::exit(1);
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (Some(binary), Some(site)) = (args.next(), args.next()) else {
        return Err("usage: apio-bench SERVER_BINARY SITE_ROOT".into());
    };
    let dir = std::env::temp_dir().join(format!("apio-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let port = free_port()?;
    let url = format!("http://127.0.0.1:{port}");
    let server = Server(
        Command::new(&binary)
            .env(
                "APIO_DATABASE_URL",
                format!("sqlite://{}/apio.db", dir.display()),
            )
            .env("APIO_TOKENS_SIGNING_KEY_FILE", dir.join("signing.key"))
            .env("APIO_SECRETS_KEY_FILE", dir.join("secret.key"))
            .env("APIO_SERVER_LISTEN", format!("127.0.0.1:{port}"))
            .env("APIO_SERVER_PUBLIC_URL", &url)
            .env("APIO_BOOTSTRAP_ADMIN_PASSWORD", PASSWORD)
            .env("LEPTOS_SITE_ROOT", &site)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting {binary}: {e}"))?,
    );
    wait_ready(&url)?;
    // Idle: past the 2 to 4 s after which the server gives argon2 memory back.
    std::thread::sleep(Duration::from_secs(5));
    let rss_kib = rss_kib(server.0.id())?;

    // This machine's speed drifts (from one run to the next, by up to a tenth): the raw rate
    // is measured before, between and after the login runs, and the logins' mean is compared
    // with its mean.
    let login_body = format!(r#"{{"username":"admin","password":"{PASSWORD}"}}"#);
    let mut raws = vec![raw_hash_rate()?];
    let mut login_runs = Vec::new();
    for _ in 0..LOGIN_RUNS {
        login_runs.push(wrk(
            &url,
            "/api/v01/auth/login",
            8,
            Some(&login_body),
            None,
        )?);
        raws.push(raw_hash_rate()?);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (raw, logins) = (mean(&raws), mean(&login_runs));
    let spread = |v: &[f64]| {
        let (lo, hi) = v
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
        format!("{lo:.1} to {hi:.1}")
    };
    let tokens = curl_login(&url, &login_body)?;
    let refresh = wrk(
        &url,
        "/api/v01/auth/access_token",
        64,
        None,
        Some(&tokens.1),
    )?;
    let me = wrk(&url, "/api/v01/me", 64, None, Some(&tokens.0))?;
    let page = login_page_brotli(&url, &site)?;

    println!("APIO auth benchmark (SQLite, loopback, load generator on the same machine)");
    println!(
        "  cores                      {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    println!(
        "  raw argon2id hashes/s      {raw:>9.1}   (m=19456 KiB, t=2, p=1, all cores; mean of {}: {})",
        raws.len(),
        spread(&raws)
    );
    println!(
        "  password logins/s          {logins:>9.1}   ({:.0} % of the raw rate; target >= 90 %; mean of {}: {})",
        100.0 * logins / raw,
        login_runs.len(),
        spread(&login_runs)
    );
    println!("  refreshes/s                {refresh:>9.0}   (target >= 10,000)");
    println!("  GET /api/v01/me/s          {me:>9.0}   (target >= 15,000)");
    println!(
        "  idle RSS                   {:>9.1} MB (target <= 25 MB)",
        rss_kib as f64 / 1024.0
    );
    println!(
        "  login page, brotli         {:>9.1} kB (WASM + JS + CSS it loads; target <= 250 kB)",
        page as f64 / 1000.0
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

fn wait_ready(url: &str) -> Result<(), String> {
    for _ in 0..200 {
        let ok = Command::new("curl")
            .args(["-fs", &format!("{url}/readyz")])
            .stdout(Stdio::null())
            .status();
        if ok.is_ok_and(|s| s.success()) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err("the server did not become ready".into())
}

fn rss_kib(pid: u32) -> Result<u64, String> {
    let status =
        std::fs::read_to_string(format!("/proc/{pid}/status")).map_err(|e| e.to_string())?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS".into())
}

/// Hashes/s with the default parameters on every core, as the server's pool would.
fn raw_hash_rate() -> Result<f64, String> {
    let cfg = PasswordConfig::default();
    let hasher = std::sync::Arc::new(Hasher::new(&cfg, [1; 16]).map_err(|e| e.to_string())?);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let h = hasher.clone();
            std::thread::spawn(move || {
                let mut n = 0u64;
                while start.elapsed() < Duration::from_secs(SECONDS) {
                    if h.hash_once_blocking(PASSWORD, [i as u8; 16]).is_ok() {
                        n += 1;
                    }
                }
                n
            })
        })
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().unwrap_or(0)).sum();
    Ok(total as f64 / start.elapsed().as_secs_f64())
}

fn curl_login(url: &str, body: &str) -> Result<(String, String), String> {
    let out = Command::new("curl")
        .args([
            "-fs",
            "-H",
            "content-type: application/json",
            "-d",
            body,
            &format!("{url}/api/v01/auth/login"),
        ])
        .output()
        .map_err(|e| e.to_string())?;
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("login: {e}"))?;
    let get = |k: &str| {
        v[k].as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("login: no {k}"))
    };
    Ok((get("access_token")?, get("refresh_token")?))
}

/// Requests/s of successful (2xx) answers, from wrk.
fn wrk(
    url: &str,
    path: &str,
    connections: u32,
    post_json: Option<&str>,
    bearer: Option<&str>,
) -> Result<f64, String> {
    let script = std::env::temp_dir().join(format!(
        "apio-bench-{}-{connections}.lua",
        std::process::id()
    ));
    let mut lua = String::from(
        "done = function(summary, latency, requests)\n  io.write(string.format(\"ok=%d\\n\", summary.requests - summary.errors.status))\nend\n",
    );
    if let Some(body) = post_json {
        lua.push_str(&format!("wrk.method = \"POST\"\nwrk.body = '{body}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"));
    }
    if let Some(token) = bearer {
        lua.push_str(&format!(
            "wrk.headers[\"Authorization\"] = \"Bearer {token}\"\n"
        ));
    }
    std::fs::write(&script, lua).map_err(|e| e.to_string())?;
    let out = Command::new("wrk")
        .args([
            "-t",
            "1",
            "-c",
            &connections.to_string(),
            "-d",
            &format!("{SECONDS}s"),
            "-s",
        ])
        .arg(&script)
        .arg(format!("{url}{path}"))
        .output()
        .map_err(|e| format!("wrk: {e} (install it: apt-get install wrk)"))?;
    let _ = std::fs::remove_file(&script);
    let text = String::from_utf8_lossy(&out.stdout);
    let ok: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("ok="))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("wrk output: {text}"))?;
    Ok(ok / SECONDS as f64)
}

/// Brotli (quality 11) size of what the login page loads before it is interactive: the
/// `/pkg/` files its HTML names, and the scripts those import. The lazily loaded chunks of
/// other pages (`--split`) are not among them.
fn login_page_brotli(url: &str, site: &str) -> Result<u64, String> {
    let out = Command::new("curl")
        .args(["-fs", &format!("{url}/login")])
        .output()
        .map_err(|e| format!("curl: {e}"))?;
    let mut queue = pkg_refs(&String::from_utf8_lossy(&out.stdout), "/pkg/");
    let mut seen = std::collections::BTreeSet::new();
    let mut total = 0;
    while let Some(name) = queue.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let path = std::path::Path::new(site).join("pkg").join(&name);
        if name.ends_with(".js") {
            let js =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            queue.extend(js_imports(&js));
        }
        let out = Command::new("brotli")
            .args(["-c", "-q", "11"])
            .arg(&path)
            .output()
            .map_err(|e| format!("brotli: {e} (install it: apt-get install brotli)"))?;
        if !out.status.success() {
            return Err(format!(
                "brotli {}: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        total += out.stdout.len() as u64;
    }
    if seen.is_empty() {
        return Err("the login page names no /pkg/ file".into());
    }
    Ok(total)
}

/// The files a module imports statically (`from "./x.js"`); dynamic imports are the lazy
/// chunks and are left out.
fn js_imports(js: &str) -> Vec<String> {
    js.split("from")
        .skip(1)
        .filter_map(|rest| {
            let rest = rest.trim_start().strip_prefix(['"', '\''])?;
            let name = rest.split(['"', '\'']).next()?.strip_prefix("./")?;
            (!name.contains('/') && name.ends_with(".js")).then(|| name.to_string())
        })
        .collect()
}

/// File names after `prefix` inside quotes, e.g. `"/pkg/apio.js"` or `"./chunk.js"`.
fn pkg_refs(text: &str, prefix: &str) -> Vec<String> {
    text.split(['"', '\''])
        .filter_map(|quoted| quoted.strip_prefix(prefix))
        .filter(|name| {
            !name.is_empty()
                && !name.contains('/')
                && [".js", ".wasm", ".css"]
                    .iter()
                    .any(|ext| name.ends_with(ext))
        })
        .map(str::to_string)
        .collect()
}
