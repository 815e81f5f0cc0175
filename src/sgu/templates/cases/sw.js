/* SGU: the app's service worker (cases/app_views.py). Keeps the app shell (styles, scripts,
 * icons, the offline page) and the report form, so that the app opens with a poor
 * connection; the report itself is kept by app.js on the phone and sent when the connection
 * returns. Only GET requests of the app's own origin are answered here; everything else
 * (every POST) goes to the network untouched. */
"use strict";
{% autoescape off %}var CONFIG = {{ config }};{% endautoescape %}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CONFIG.cache).then(function (cache) {
      return cache.addAll(CONFIG.shell);
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("sgu-app-") === 0 && name !== CONFIG.cache;
      }).map(function (name) {
        return caches.delete(name);
      }));
    }).then(function () {
      return self.clients.claim();
    })
  );
});

function kept(url) {
  return CONFIG.keep.indexOf(url.pathname) !== -1;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    if (url.pathname.indexOf(CONFIG.scope) !== 0) {
      return;
    }
    // Pages: the network first (always the current state of a case); without it, the kept
    // report form or the offline page.
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok && kept(url) && !response.redirected) {
          var copy = response.clone();
          caches.open(CONFIG.cache).then(function (cache) {
            cache.put(url.pathname, copy);
          });
        }
        return response;
      }).catch(function () {
        return caches.match(kept(url) ? url.pathname : CONFIG.offline).then(function (hit) {
          return hit || caches.match(CONFIG.offline);
        });
      })
    );
    return;
  }
  if (CONFIG.shell.indexOf(url.pathname) !== -1) {
    // The shell: from the cache, the network only if missing.
    event.respondWith(
      caches.match(url.pathname).then(function (hit) {
        return hit || fetch(request);
      })
    );
  }
});
