// The drafts demo on the browser client: two windows of one user show every create, edit and
// delete live. Token from the form or the URL fragment (#token=…), kept in sessionStorage.
import { ArchibaldClient } from '/client/archibald-client.js';
import { claimsOf, showMessage, takeTokenFromFragment } from '/common/page.js';
import { DraftBook } from './draft-book.js';

const TOKEN_KEY = 'archibald.demoToken';
const $ = (id) => document.getElementById(id);
const deviceId = `web-${Math.random().toString(36).slice(2, 8)}`;
const book = new DraftBook();
let client = null;

function render() {
  const items = book.sorted().map((draft) => {
    const li = document.createElement('li');
    const name = document.createElement('span');
    name.className = 'name';
    name.dataset.testid = `draft-${draft.id}`; // its text is exactly the customer name
    name.textContent = draft.customerName; // data, never markup
    const rename = document.createElement('input');
    rename.dataset.testid = `rename-${draft.id}`;
    rename.placeholder = 'new customer name';
    rename.maxLength = 200;
    const save = document.createElement('button');
    save.textContent = 'Save';
    save.dataset.testid = `save-${draft.id}`;
    save.addEventListener('click', () => {
      if (rename.value.trim()) write({ ...draft, customerName: rename.value.trim() });
    });
    const remove = document.createElement('button');
    remove.textContent = 'Delete';
    remove.dataset.testid = `delete-${draft.id}`;
    remove.addEventListener('click', () => client.drafts.remove(draft.id).catch((e) => showMessage(e.message)));
    li.append(name, rename, save, remove);
    return li;
  });
  $('drafts').replaceChildren(...items);
}

async function write(draft) {
  try {
    const updated = { ...draft, updatedAt: Date.now(), deviceId };
    const [result] = await client.drafts.save([updated]);
    if (result?.action === 'rejected') showMessage(`Rejected: ${result.reason}`);
  } catch (error) {
    showMessage(error.message);
  }
}

async function pullList() {
  try {
    if (book.merge(await client.drafts.list())) render();
  } catch (error) {
    showMessage(error.message);
  }
}

function start(token) {
  client?.close();
  book.replace([]);
  render();
  const claims = claimsOf(token);
  $('user').textContent = claims.userId || 'unknown user';
  client = new ArchibaldClient({ token, deviceId });
  client.on('state', (state) => {
    $('state').textContent = state;
    $('state').dataset.state = state === 'open' ? 'ok' : state === 'closed' ? 'offline' : 'warn';
    if (state === 'open') {
      showMessage('');
      pullList(); // after the socket is live: nothing written meanwhile is missed
    }
  });
  window.archibaldDemo = { client, events: [] }; // for tests and the curious: what arrived
  client.on('*', (event) => {
    window.archibaldDemo.events.push(event);
    if (book.applyEvent(event)) render();
  });
  client.on('resync', ({ drafts }) => {
    book.replace(drafts);
    render();
  });
  client.on('error', (error) => showMessage(error.message));
  $('app').hidden = false;
  client.connect();
}

$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  $('token').value = '';
  start(sessionStorage.getItem(TOKEN_KEY));
});
$('new-draft').addEventListener('submit', (e) => {
  e.preventDefault();
  const customerName = $('customer').value.trim();
  if (!customerName) return;
  $('customer').value = '';
  const id = `d-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  write({ id, customerId: 'C-demo', customerName, items: [], createdAt: Date.now() });
});

takeTokenFromFragment(TOKEN_KEY);
if (sessionStorage.getItem(TOKEN_KEY)) start(sessionStorage.getItem(TOKEN_KEY));
