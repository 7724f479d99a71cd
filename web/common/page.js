// What /admin and /demo share: the token from the URL fragment (#token=…, taken out of the
// address bar at once, so it is never sent to a server or left in history) into
// sessionStorage, and the page's message line.

/** Moves #token=… into sessionStorage under `key`; returns whether there was one. */
export function takeTokenFromFragment(key) {
  const match = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
  if (!match) return false;
  sessionStorage.setItem(key, decodeURIComponent(match[1]));
  history.replaceState(null, '', location.pathname + location.search);
  return true;
}

/** Shows `text` in the element #message, or hides it when empty. */
export function showMessage(text) {
  const element = document.getElementById('message');
  element.textContent = text || '';
  element.hidden = !text;
}

/** The token's claims, for display only (the server verifies the signature). */
export function claimsOf(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
  } catch {
    return {};
  }
}
