// Starts the GOV.UK Frontend components (error summary focus, header menus, details ...).
import { initAll } from "./govuk-frontend.min.js";

initAll();
