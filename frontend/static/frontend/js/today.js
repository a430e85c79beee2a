// Today: the app's start page. Shows what is waiting to sync and starts sending it.

import * as sync from "./sync.js";
import { mountStatus } from "./status.js";

const text = JSON.parse(document.getElementById("ui-text").textContent);
const user = document.querySelector("[data-user]").dataset.user;
mountStatus(document.querySelector("[data-sync-status]"), { user, text });
sync.start(user);
