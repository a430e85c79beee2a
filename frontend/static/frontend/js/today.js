// Today: the app's start page. Shows what is waiting to sync and starts sending it.

import { mountStatus } from "./status.js";

const text = JSON.parse(document.getElementById("ui-text").textContent);
const user = document.querySelector("[data-user]").dataset.user;
const status = mountStatus(document.querySelector("[data-sync-status]"), { user, text });
const sync = await import("./sync.js");
status.follow(sync);
sync.start(user);
