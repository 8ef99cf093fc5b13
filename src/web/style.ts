import { trusted } from './html.js';

/** The public pages' style sheet (inlined: one request per page, no client-side code). */
export const SITE_CSS = trusted(`
:root{--ink:#1b1f24;--muted:#4d5661;--line:#b9c1ca;--accent:#0b5cad;--bad:#b3261e;--ok:#1a7f37;--warn:#8a5a00;--focus:#ffbf47;--bg:#fff;--soft:#f4f6f8}
*{box-sizing:border-box}
html{font-size:100%}
body{margin:0;font:1.0625rem/1.55 "Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--accent)}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px;box-shadow:0 0 0 6px var(--ink)}
input:focus,select:focus,textarea:focus,button:focus{outline:3px solid var(--focus);outline-offset:0;box-shadow:inset 0 0 0 2px var(--ink)}
.skip{position:absolute;left:-10000px;top:0;background:var(--focus);color:var(--ink);padding:.5rem 1rem;z-index:10}
.skip:focus{left:0}
.visually-hidden{position:absolute!important;width:1px!important;height:1px!important;margin:0!important;padding:0!important;overflow:hidden!important;clip:rect(0 0 0 0)!important;clip-path:inset(50%)!important;white-space:nowrap!important;border:0!important}
header.site{background:#8b1a1a;color:#fff;padding:.8rem 1.2rem}
header.site a{color:#fff}
header.site .org{font-size:.9rem;opacity:.95}
header.site .brand{font-size:1.25rem;font-weight:700;margin:.15rem 0 .4rem}
header.site .brand a{text-decoration:none}
header.site nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.4rem 1.4rem}
header.site nav a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
main{max-width:52rem;margin:0 auto;padding:1rem 1.2rem 3rem}
main:focus{outline:none}
h1{font-size:1.75rem;line-height:1.25;margin:.8rem 0 .6rem}
h2{font-size:1.3rem;margin:2rem 0 .6rem}
h3{font-size:1.1rem;margin:1.2rem 0 .4rem}
.lead{font-size:1.15rem}
.notice{border-left:6px solid var(--warn);background:#fff8e5;padding:.7rem 1rem;margin:1rem 0}
.notice strong{display:block}
.panel{border:3px solid var(--ok);padding:1rem 1.2rem;margin:1rem 0}
.panel h1{margin-top:0}
.code{font:700 clamp(1rem,5.2vw,1.5rem)/1.3 ui-monospace,Consolas,"Liberation Mono",monospace;letter-spacing:.03em;white-space:nowrap}
.flash{border-left:6px solid var(--ok);background:#eef8f0;padding:.7rem 1rem;margin:1rem 0}
.error-summary{border:4px solid var(--bad);padding:1rem 1.2rem;margin:1rem 0}
.error-summary h2{margin-top:0;font-size:1.2rem}
.error-summary a{color:var(--bad);font-weight:600}
.field{margin:0 0 1.4rem}
.field.has-error{border-left:5px solid var(--bad);padding-left:.9rem}
label,legend{display:block;font-weight:700;margin-bottom:.25rem}
legend{font-size:1.05rem}
fieldset{border:0;padding:0;margin:0 0 1.4rem}
.hint{display:block;color:var(--muted);margin:0 0 .35rem;font-size:.98rem}
.field-error{display:block;color:var(--bad);font-weight:700;margin:0 0 .35rem}
.req{color:var(--bad)}
.field [id^="f-"],fieldset [id^="f-"]{scroll-margin-top:9rem}
form:has(input[name=kind][value=to_cao]:checked) .consent{display:none}
input[type=text],input[type=email],input[type=tel],input:not([type]),select,textarea{font:inherit;width:100%;max-width:36rem;padding:.45rem .55rem;border:2px solid var(--ink);border-radius:0;background:#fff;color:var(--ink)}
input.w-m{max-width:18rem}
textarea{min-height:9rem;max-width:100%}
.has-error input,.has-error select,.has-error textarea{border-color:var(--bad)}
.choice{display:flex;gap:.6rem;align-items:flex-start;margin:.45rem 0}
.choice input{width:1.4rem;height:1.4rem;margin:.15rem 0 0;flex:none}
.choice label{font-weight:600;margin:0}
.choice .hint{font-weight:400;margin:0}
.rating{display:flex;gap:1rem;flex-wrap:wrap}
.rating .choice{margin:0}
button,.button{font:inherit;font-weight:700;background:#0b6e35;color:#fff;border:0;border-bottom:3px solid #063d1d;padding:.6rem 1.2rem;cursor:pointer}
button.secondary{background:#e7eaee;color:var(--ink);border-bottom-color:#8b949e}
button.warning,.button.warning{background:var(--bad);border-bottom-color:#5e130f}
a.button{display:inline-block;text-decoration:none;color:#fff}
.hp{position:absolute!important;left:-10000px!important;width:1px;height:1px;overflow:hidden}
dl.summary{display:grid;grid-template-columns:minmax(9rem,14rem) 1fr;gap:.35rem 1rem;margin:1rem 0}
dl.summary dt{font-weight:700}
dl.summary dd{margin:0}
.status{display:inline-block;font-weight:700;padding:.1rem .5rem;border:2px solid var(--accent);color:var(--accent)}
.state-overdue{color:var(--bad);font-weight:700}
.state-paused{color:var(--warn);font-weight:700}
ol.timeline{list-style:none;padding:0;margin:0;border-left:3px solid var(--line)}
ol.timeline li{margin:0 0 1rem;padding-left:1rem}
ol.timeline .when{color:var(--muted);font-size:.95rem}
ol.timeline p{margin:.2rem 0}
.answer{background:var(--soft);border-left:6px solid var(--accent);padding:.6rem 1rem}
.sent,.own{border-left:6px solid var(--line);padding:.2rem 1rem;margin:.4rem 0;overflow-wrap:anywhere}
.own-label{color:var(--muted);font-size:.95rem}
.actions section{border-top:2px solid var(--line);padding-top:.4rem}
footer.site{max-width:52rem;margin:0 auto;padding:1rem 1.2rem 2rem;border-top:1px solid var(--line);color:var(--muted);font-size:.95rem}
.meta{color:var(--muted);font-size:.9rem}
footer.site .contact{color:var(--ink)}
footer.site a.tel{white-space:nowrap;font-weight:700}
ul.toc{columns:2 14rem;padding-left:1.2rem}
section.problem{border-top:1px solid var(--line)}
section.problem h2{margin-top:1.2rem}
@media (max-width:40rem){dl.summary{grid-template-columns:1fr}dl.summary dd{margin-bottom:.5rem}}
@media print{header.site nav,.actions,footer.site,.skip{display:none}header.site{background:none;color:#000}header.site a{color:#000}}
`);
