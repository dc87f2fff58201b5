// SPDX-License-Identifier: MIT
/** What security.ts loads on first use of CURVE: the two mechanisms and the X25519 it needs. */
export { CurveClient } from "../mechanisms/curve_client.ts";
export { CurveServer } from "../mechanisms/curve_server.ts";
export { curvePublicKey } from "../mechanisms/curve_box.ts";
