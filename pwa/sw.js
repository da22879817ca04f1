// Service worker for the customer shop (/s/...) and booking status page (/b/).
// Shell files: cache first, refreshed when VERSION (made from their bytes) changes. Shop pages, shop data and the
// privacy notice (one copy per language): network first, the cache when offline or slow.
// Never cached: booking status, staff, boards, the live stream, the wall, POSTs. The staff app
// and wall files are not precached: every customer phone would download them; uncached /static/
// files come from the network.
const VERSION = "dev"; // replaced when served (server/pages.py): a digest of the precached files
const PREFIX = "yryd-";
const SHELL = `${PREFIX}shell-${VERSION}`;
const RUNTIME = `${PREFIX}runtime-1`; // pages, shop data, the notice; outlives shell updates
const RUNTIME_MAX = 60;
const SLOW_MS = 4000; // after this, answer from the cache while the network catches up

const PRECACHE = [
  "/b/",
  "/static/css/app.css",
  "/static/js/prefs.js", "/static/js/html.js", "/static/js/i18n.js", "/static/js/api.js",
  "/static/js/format.js", "/static/js/bookings.js", "/static/js/app.js", "/static/js/install.js",
  "/static/js/lang/zh.js", "/static/js/lang/en.js", "/static/js/shop.js", "/static/js/status.js",
  "/static/js/views/card.js", "/static/js/views/home.js", "/static/js/views/kept.js",
  "/static/js/views/summary.js", "/static/js/views/product.js", "/static/js/views/slots.js",
  "/static/js/views/book.js", "/static/js/views/done.js", "/static/js/views/outbox.js", "/static/js/notice.js",
  "/static/js/views/remind.js",
  "/static/icons/icon-192.png", "/static/icons/icon-512.png", "/static/icons/maskable-512.png",
];

const NEVER = /^\/(api\/status|api\/staff|api\/boards|api\/stream|api\/walls?|staff|wall)(\/|$)/;
const SHOP_PAGE = /^\/s\/[^/]+\/?$/;
const SHOP_DATA = /^\/(api\/shops\/[^/]+(\/slots)?|s\/[^/]+\/manifest\.webmanifest)$/;
const NOTICE = "/api/privacy-notice";
// The cache key of the notice in a language, as the server reads ?lang= (English, else Chinese).
const noticeKey = (url) => `${NOTICE}?lang=${/^en/i.test(url.searchParams.get("lang") || "") ? "en" : "zh-CN"}`;

const OFFLINE_PAGE = `<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>一人一店</title>
<link rel="stylesheet" href="/static/css/app.css"><main id="app"><section class="view">
<h1>没有网络</h1><p>这个页面还没有保存在这部手机上，请联网后再打开。</p>
<p lang="en">You are offline, and this page has not been saved on this phone yet.</p></section></main>`;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    // cache: "reload" so a new VERSION never picks up stale copies from the HTTP cache.
    await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" })));
    await Promise.all([saveNotices(), savePages()]);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const keep = [SHELL, RUNTIME];
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && !keep.includes(name)) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || NEVER.test(url.pathname)) return;
  const path = url.pathname;
  if (SHOP_PAGE.test(path) && request.mode === "navigate") {
    event.respondWith(savedFirst(event, request, path.replace(/\/$/, "")));
  } else if (path === "/b/" && request.mode === "navigate") {
    event.respondWith(networkFirst(event, request, "/b/", true));
  } else if (SHOP_DATA.test(path)) {
    event.respondWith(networkFirst(event, request, path, false));
  } else if (path === NOTICE) {
    event.respondWith(networkFirst(event, request, noticeKey(url), false));
  } else if (path.startsWith("/static/")) {
    event.respondWith(caches.match(request, { ignoreSearch: true }).then((hit) => hit || fetch(request)));
  }
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The notice in both languages, saved at install: the shop saves a copy in the language it reads,
// and this one lets a customer who switches language while offline still read what they agree
// to. Best effort: a failure here must not stop the install.
async function saveNotices() {
  const cache = await caches.open(RUNTIME);
  const saved = Promise.all(["zh-CN", "en"].map(async (lang) => {
    const key = `${NOTICE}?lang=${lang}`;
    try {
      const response = await fetch(key, { cache: "no-cache" });
      if (response.ok) await cache.put(key, response);
    } catch {
      // offline during install: nothing saved yet
    }
  }));
  await Promise.race([saved, sleep(SLOW_MS)]); // a slow network does not hold up the install
}

// The shop pages open while this worker installs (the one that registered it), saved now: the
// next visit opens from the saved copy at once. Best effort, like the notices.
async function savePages() {
  const cache = await caches.open(RUNTIME);
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const paths = windows.map((w) => new URL(w.url))
    .filter((u) => u.origin === self.location.origin && SHOP_PAGE.test(u.pathname))
    .map((u) => u.pathname.replace(/\/$/, ""));
  const saved = Promise.all([...new Set(paths)].map(async (path) => {
    try {
      const response = await fetch(path, { cache: "no-cache" });
      if (response.ok) await cache.put(path, response);
    } catch {
      // offline during install: saved on the next visit instead
    }
  }));
  await Promise.race([saved, sleep(SLOW_MS)]);
}

// The cached copy, marked so the page can say it is showing saved information.
async function fromCache(key) {
  const hit = await caches.match(key, { ignoreVary: true });
  if (!hit) return null;
  const headers = copied(hit);
  headers.set("X-SW-Cache", "1");
  return new Response(hit.body, { status: hit.status, statusText: hit.statusText, headers });
}

// key: the URL without its query (?c=channel), so one copy per shop page.
async function networkFirst(event, request, key, page) {
  const network = fetch(request).then(async (response) => {
    if (response.ok) {
      const cache = await caches.open(RUNTIME);
      await cache.put(key, response.clone());
      trim(cache);
    }
    return response;
  });
  event.waitUntil(network.catch(() => {}));
  try {
    const first = await Promise.race([network, sleep(SLOW_MS).then(() => null)]);
    const response = first || (await fromCache(key)) || (await network);
    if (response.status >= 500) return (await fromCache(key)) || response;
    return response;
  } catch {
    const cached = await fromCache(key);
    if (cached) return cached;
    if (page) return new Response(OFFLINE_PAGE, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
    return Response.error();
  }
}

// A shop page this phone has seen opens from its saved copy at once (it carries the shop's data;
// the page marks itself and refreshes the data from the network); the copy is renewed meanwhile.
async function savedFirst(event, request, key) {
  const hit = await caches.match(key, { ignoreVary: true });
  if (!hit) return networkFirst(event, request, key, true);
  event.waitUntil(fetch(request).then(async (response) => {
    if (response.ok) await (await caches.open(RUNTIME)).put(key, response);
  }).catch(() => {}));
  const page = (await hit.text()).replace("<body ", '<body data-sw-cache="1" ');
  return new Response(page, { status: hit.status, statusText: hit.statusText, headers: copied(hit) });
}

// A saved response's headers for a copy made here: its body is already decoded, its length new.
function copied(response) {
  const headers = new Headers(response.headers);
  headers.delete("Content-Encoding");
  headers.delete("Content-Length");
  return headers;
}

async function trim(cache) {
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - RUNTIME_MAX))) await cache.delete(old);
}
