// Copies the CSRF token from the page's <meta> tag into every htmx request (no inline script).
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRFToken"] = meta.content;
  }
});

// Failed htmx requests: htmx swaps nothing on 4xx/5xx or a dead network, so without this the
// click would seem to do nothing. One message at a time in base.html's #request-error region:
// a poller failing every 2 s replaces its own message instead of stacking copies.
const UNREACHABLE = "Aniworld cannot be reached — check that it is running, then try again.";
let shownError = null; // {network, path} of the message on screen

function requestPath(detail) {
  return ((detail.pathInfo && detail.pathInfo.requestPath) || "").split("?")[0];
}

function serverMessage(xhr) {
  if (xhr.status >= 500) {
    return `Aniworld could not complete the request (error ${xhr.status}). ` +
      "Try again; the details are in the server log.";
  }
  let text = "";
  const type = xhr.getResponseHeader("Content-Type") || "";
  if (type.includes("json")) {
    try {
      text = JSON.parse(xhr.responseText).error.message;
    } catch {
      text = "";
    }
  } else if (type.includes("html")) {
    // errors.py answers htmx with templates/_error.html; parsing never runs scripts.
    const doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
    const element = doc.querySelector("[data-error-message]");
    text = element ? element.textContent.trim() : "";
  }
  return text || `The request failed (error ${xhr.status}). Reload the page and try again.`;
}

function clearRequestError() {
  const region = document.getElementById("request-error");
  if (region) {
    region.replaceChildren();
  }
  shownError = null;
}

function showRequestError(message, network, path) {
  const region = document.getElementById("request-error");
  if (!region) {
    return;
  }
  shownError = { network, path };
  const current = region.querySelector("p");
  // Rewriting the same text would make screen readers announce it again on every poll.
  if (current && current.textContent === message) {
    return;
  }
  const text = document.createElement("p");
  text.textContent = message;
  const dismiss = document.createElement("button");
  dismiss.type = "button";
  dismiss.className = "secondary";
  dismiss.textContent = "Dismiss";
  dismiss.addEventListener("click", clearRequestError);
  region.replaceChildren(text, dismiss);
}

document.addEventListener("htmx:responseError", (event) => {
  const xhr = event.detail.xhr;
  // 401 + HX-Redirect (session expired) navigates to the login page; htmx follows it itself.
  if (xhr.getResponseHeader("HX-Redirect")) {
    return;
  }
  showRequestError(serverMessage(xhr), false, requestPath(event.detail));
});

document.addEventListener("htmx:sendError", (event) => {
  showRequestError(UNREACHABLE, true, requestPath(event.detail));
});

// A success clears the message it answers: any success proves the server is back; a failed
// action's message stays until that address works again or another action succeeds, so a
// background poll (204 every 2 s) does not wipe it before the user has read it.
document.addEventListener("htmx:afterRequest", (event) => {
  const detail = event.detail;
  if (!shownError || !detail.successful) {
    return;
  }
  const isAction = detail.requestConfig && detail.requestConfig.verb !== "get";
  if (shownError.network || isAction || requestPath(detail) === shownError.path) {
    clearRequestError();
  }
});

// Covers come from Aniworld's own cache (web/artwork.py). One not cached yet answers 404 while
// a worker fetches it from the site: show a neutral box meanwhile and ask again, a little later
// each time (1 s, 2 s, … at most 10 s apart), for about two minutes in all — a busy worker or
// the site's rate limit may hold the fetch that long — then put the cover in (the probe's
// answer is already in the browser's cache).
const COVER_PLACEHOLDER = "data:image/svg+xml," +
  encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="2" height="3"/>');
const COVER_MAX_DELAY_MS = 10000;
const COVER_GIVE_UP_MS = 120000;

function retryCover(img, address, attempt, waited) {
  const delay = Math.min(1000 * attempt, COVER_MAX_DELAY_MS);
  if (waited + delay > COVER_GIVE_UP_MS) {
    return;
  }
  setTimeout(() => {
    const url = new URL(address, document.baseURI);
    url.searchParams.set("try", String(attempt));
    const probe = new Image();
    probe.addEventListener("load", () => {
      img.src = probe.src;
      img.removeAttribute("data-cover-pending");
    });
    probe.addEventListener("error", () => retryCover(img, address, attempt + 1, waited + delay));
    probe.src = url.href;
  }, delay);
}

function coverFailed(img) {
  if (!(img instanceof HTMLImageElement) || !img.hasAttribute("data-cover")
      || img.hasAttribute("data-cover-pending")) {
    return;
  }
  img.setAttribute("data-cover-pending", "");
  const address = img.src;
  img.src = COVER_PLACEHOLDER;
  retryCover(img, address, 1, 0);
}

// "error" does not bubble; listening in the capture phase sees every image, swapped-in ones too.
document.addEventListener("error", (event) => coverFailed(event.target), true);
// A cover that failed before this (deferred) script ran: complete, but nothing to show.
document.querySelectorAll("img[data-cover]").forEach((img) => {
  if (img.complete && img.naturalWidth === 0) {
    coverFailed(img);
  }
});

// Queue groups opened on demand stay open when the queue partial is swapped for a newer one:
// the addresses of the open ones are noted before the swap and opened again after it, which
// loads their episodes afresh (their hx-trigger is "toggle once").
let openGroups = [];

document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  if (event.detail.shouldSwap && target && target.id === "queue") {
    openGroups = Array.from(target.querySelectorAll("details[hx-get][open]"),
      (details) => details.getAttribute("hx-get"));
  }
});

document.addEventListener("htmx:afterSettle", () => {
  for (const url of openGroups) {
    const details = document.querySelector(`#queue details[hx-get="${CSS.escape(url)}"]`);
    if (details && !details.open) {
      details.open = true;
    }
  }
  openGroups = [];
});
