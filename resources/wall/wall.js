/* NE8000 Monitor wall display.
 *
 * Reads everything from the feed WebSocket (/ws/monitor) and draws one card per router.
 * URL options: ?token=T (passed on to the feed), ?router=A,B (filter), ?rotate=20 (seconds
 * per router), ?sound=1 (beep on new critical alerts), ?lang=pt-BR (override the browser's
 * language for text and number formatting).
 * Rules: missing data shows "—", never 0; counters may arrive as decimal strings (beyond
 * 2**53) and are formatted through BigInt, never Number(); when the feed drops the page says
 * since when its data is stale and dims it, and reconnects with backoff. Each section of a
 * router is judged on its own too: the server marks it `stale` (its last poll failed, or
 * the answer is too old) and says until when it is fresh (`fresh_until_epoch`), so a part
 * whose router stopped answering dims and the card says "Stale since ..." with the reason,
 * even while the feed itself is live and no new message comes.
 * On start the page loads the last hour of each router's subscriber total and of its
 * uplinks' traffic from /api/history, so its trend lines do not start empty; the live
 * figures are appended as they come. A gap (failed poll) breaks the line, never drops to 0.
 */
"use strict";

(() => {
  const params = new URLSearchParams(location.search);
  const LOCALE = pickLocale(params.get("lang") || navigator.language || "en");
  const TOKEN = params.get("token") || "";
  const FILTER = params.getAll("router")
    .flatMap((value) => value.split(","))
    .map((name) => name.trim())
    .filter(Boolean);
  const ROTATE_SECONDS = positiveNumber(params.get("rotate"), 3);
  const SOUND = ["1", "true", "yes", "on"].includes((params.get("sound") || "").toLowerCase());

  const PING_EVERY_MS = 10000; // keeps the link honest between server heartbeats
  const SILENCE_LIMIT_MS = 30000; // no message at all for this long: the feed is stale
  const BACKOFF_MIN_MS = 500;
  const BACKOFF_MAX_MS = 10000;
  const HISTORY_WINDOW_MS = 60 * 60 * 1000; // the sparklines show the last hour
  const HISTORY_MAX_POINTS = 720;
  const HISTORY_MAX_UPLINKS = 16; // series asked per router: in and out of each uplink
  const ROUTER_STALE_MS = 3 * 60 * 1000; // for a feed that sends no freshness fields
  const SEVERITY_ORDER = { critical: 0, major: 1, minor: 2, warning: 3 };
  const DASH = "—";

  // ---------------------------------------------------------------- text (en, pt-BR)

  const DICT = {
    en: {
      connecting: "Connecting…",
      live: "Live",
      staleSince: "Stale since {time} · reconnecting…",
      noConnection: "No connection · retrying…",
      denied: "Access denied: check the token in the URL",
      deniedSince: "Access denied (check the token in the URL) · stale since {time}",
      waiting: "Waiting for data…",
      noMatch: "No router named {names}",
      subscribers: "Online subscribers",
      change: "{delta} in {duration}",
      cpu: "CPU",
      memory: "Memory",
      uplink: "Uplink traffic",
      noTraffic: "No monitored interface",
      ifDown: "DOWN",
      alerts: "Active alerts",
      noAlerts: "No active alerts",
      more: "+{n} more",
      updated: "Updated {time}",
      staleSectionSince: "Stale since {time} · {reason}",
      "reason.overdue": "no new data",
      "reason.timeout": "no answer in time",
      "reason.unreachable": "unreachable",
      "reason.session_lost": "connection dropped",
      "reason.parse_error": "answer not understood",
      "reason.rejected": "command rejected",
      "reason.other": "poll failed",
      soundHint: "Click to enable sound",
      "state.connected": "Online",
      "state.connecting": "Connecting",
      "state.idle": "Starting",
      "state.unreachable": "Unreachable",
      "state.auth_failed": "Login failed",
      "state.no_credentials": "No password",
      "state.host_key_changed": "Host key changed",
      "state.closed": "Closed",
      "state.unknown": "Unknown",
      "severity.critical": "Critical",
      "severity.major": "Major",
      "severity.minor": "Minor",
      "severity.warning": "Warning",
      // Active alerts by severity (router alarms of every severity count).
      "count.critical.one": "{n} critical",
      "count.critical.many": "{n} critical",
      "count.major.one": "{n} major",
      "count.major.many": "{n} major",
      "count.minor.one": "{n} minor",
      "count.minor.many": "{n} minor",
      "count.warning.one": "{n} warning",
      "count.warning.many": "{n} warning",
    },
    pt: {
      connecting: "Conectando…",
      live: "Ao vivo",
      staleSince: "Desatualizado desde {time} · reconectando…",
      noConnection: "Sem conexão · tentando novamente…",
      denied: "Acesso negado: verifique o token na URL",
      deniedSince: "Acesso negado (verifique o token na URL) · desatualizado desde {time}",
      waiting: "Aguardando dados…",
      noMatch: "Nenhum roteador chamado {names}",
      subscribers: "Assinantes online",
      change: "{delta} em {duration}",
      cpu: "CPU",
      memory: "Memória",
      uplink: "Tráfego de uplink",
      noTraffic: "Nenhuma interface monitorada",
      ifDown: "INATIVA",
      alerts: "Alertas ativos",
      noAlerts: "Nenhum alerta ativo",
      more: "+{n} mais",
      updated: "Atualizado {time}",
      staleSectionSince: "Desatualizado desde {time} · {reason}",
      "reason.overdue": "sem dados novos",
      "reason.timeout": "sem resposta a tempo",
      "reason.unreachable": "inacessível",
      "reason.session_lost": "conexão caiu",
      "reason.parse_error": "resposta não entendida",
      "reason.rejected": "comando rejeitado",
      "reason.other": "consulta falhou",
      soundHint: "Clique para ativar o som",
      "state.connected": "Online",
      "state.connecting": "Conectando",
      "state.idle": "Iniciando",
      "state.unreachable": "Inacessível",
      "state.auth_failed": "Falha no login",
      "state.no_credentials": "Sem senha",
      "state.host_key_changed": "Chave SSH mudou",
      "state.closed": "Encerrado",
      "state.unknown": "Desconhecido",
      "severity.critical": "Crítico",
      "severity.major": "Maior",
      "severity.minor": "Menor",
      "severity.warning": "Aviso",
      "count.critical.one": "{n} crítico",
      "count.critical.many": "{n} críticos",
      "count.major.one": "{n} maior",
      "count.major.many": "{n} maiores",
      "count.minor.one": "{n} menor",
      "count.minor.many": "{n} menores",
      "count.warning.one": "{n} aviso",
      "count.warning.many": "{n} avisos",
    },
  };
  const TEXT = DICT[LOCALE.toLowerCase().startsWith("pt") ? "pt" : "en"];

  function t(key, values = {}) {
    const template = TEXT[key] ?? DICT.en[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
  }

  function pickLocale(wanted) {
    try {
      return Intl.getCanonicalLocales(wanted)[0] || "en";
    } catch {
      return "en";
    }
  }

  function positiveNumber(text, minimum) {
    const value = Number.parseFloat(text || "");
    return Number.isFinite(value) && value > 0 ? Math.max(value, minimum) : null;
  }

  // ---------------------------------------------------------------- formatting

  const integerFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
  const signedFormat = new Intl.NumberFormat(LOCALE, {
    maximumFractionDigits: 0,
    signDisplay: "exceptZero",
  });
  const DIGITS = /^-?\d+$/;

  /** An exact BigInt of a counter sent as a number or a decimal string; null otherwise. */
  function toBigInt(value) {
    if (typeof value === "bigint") return value;
    if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
    if (typeof value === "string" && DIGITS.test(value.trim())) return BigInt(value.trim());
    return null;
  }

  /** A counter with the locale's thousands separators ("25.000" in pt-BR); "—" if missing. */
  function formatCount(value) {
    const exact = toBigInt(value);
    if (exact !== null) return integerFormat.format(exact);
    if (typeof value === "number" && Number.isFinite(value)) {
      return integerFormat.format(Math.round(value));
    }
    return DASH;
  }

  function formatSigned(delta) {
    if (delta === 0n) return `±${integerFormat.format(0n)}`;
    return signedFormat.format(delta).replace("-", "−");
  }

  const RATE_UNITS = ["bps", "kbps", "Mbps", "Gbps", "Tbps", "Pbps"];

  /** Bits per second auto-scaled to three significant digits ("9,41 Gbps" in pt-BR). */
  function formatRate(value) {
    let bits = null;
    if (typeof value === "number" && Number.isFinite(value) && value >= 0) bits = value;
    const exact = typeof value === "string" ? toBigInt(value) : null;
    let unit = 0;
    if (exact !== null && exact >= 0n) {
      // Beyond 2**53: scale with BigInt first so no precision is lost before rounding.
      let scaled = exact;
      while (scaled >= 1000000n && unit < RATE_UNITS.length - 2) {
        scaled /= 1000n;
        unit += 1;
      }
      bits = Number(scaled);
    }
    if (bits === null) return DASH;
    while (bits >= 999.5 && unit < RATE_UNITS.length - 1) {
      bits /= 1000;
      unit += 1;
    }
    const digits = unit === 0 || bits >= 100 ? 0 : bits >= 10 ? 1 : 2;
    const number = new Intl.NumberFormat(LOCALE, {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(bits);
    return `${number} ${RATE_UNITS[unit]}`;
  }

  function formatPercent(value) {
    if (typeof value !== "number" || !Number.isFinite(value)) return DASH;
    return new Intl.NumberFormat(LOCALE, { style: "percent", maximumFractionDigits: 0 })
      .format(value / 100);
  }

  function formatClock(date) {
    return date.toLocaleTimeString(LOCALE, {
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
  }

  function formatAlertTime(date) {
    const now = new Date();
    const sameDay = date.toDateString() === now.toDateString();
    const options = sameDay
      ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }
      : { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    return date.toLocaleString(LOCALE, options);
  }

  function formatDuration(ms) {
    const seconds = Math.max(0, Math.round(ms / 1000));
    if (seconds < 60) return `${seconds} s`;
    const minutes = Math.round(seconds / 60);
    if (minutes < 60) return `${minutes} min`;
    return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")}`;
  }

  function shortInterface(name) {
    return String(name)
      .replace(/^GigabitEthernet/, "GE")
      .replace(/^XGigabitEthernet/, "XGE")
      .replace(/^Ethernet/, "Eth");
  }

  // ---------------------------------------------------------------- state

  const state = {
    connection: "connecting", // connecting | live | stale | denied
    everConnected: false,
    lastMessageAt: null, // Date of the last message from the server
    staleSince: null, // Date: the data on screen is from then
    serverOffsetMs: 0, // server clock minus ours
    loadedServerMs: null, // server time of our first welcome (alerts before it are not new)
    massDropPercent: 10, // the collector's mass-drop threshold (from its welcome)
    knownRouters: [], // order as the server lists them
    routers: new Map(), // name -> RouterView
    alerts: new Map(), // alert id -> alert object (active ones)
    heardAlerts: new Set(), // `${id}@${raised_at}` already seen: beep only once
    alarmsPlayed: 0,
    rotateIndex: 0,
  };

  function serverNow() {
    return Date.now() + state.serverOffsetMs;
  }

  function wanted(router) {
    return FILTER.length === 0 || FILTER.includes(router);
  }

  function routerView(name) {
    let view = state.routers.get(name);
    if (!view) {
      view = {
        name,
        sections: {},
        status: null,
        history: [], // [{t: server ms, v: BigInt | null (a gap)}]
        traffic: [], // [{t: server ms, in: bps | null, out: bps | null}] of the uplinks
        loaded: { subscribers: false, traffic: false }, // history asked for (once a page)
        lastDataMs: null,
        card: null,
      };
      state.routers.set(name, view);
    }
    if (!state.knownRouters.includes(name)) state.knownRouters.push(name);
    return view;
  }

  function epochMs(section) {
    if (section && typeof section.collected_epoch === "number") {
      return section.collected_epoch * 1000;
    }
    return null;
  }

  /** True when the server marked the section stale, or its `fresh_until` has passed
   * (nothing fails and no message comes when an engine stops: the clock still runs). */
  function sectionStale(section) {
    if (!section || typeof section !== "object") return false;
    if (section.stale === true) return true;
    if (typeof section.fresh_until_epoch === "number") {
      return serverNow() > section.fresh_until_epoch * 1000;
    }
    if (section.stale === false) return false;
    const at = epochMs(section); // an older feed without freshness fields
    return at !== null && serverNow() - at > ROUTER_STALE_MS;
  }

  /** One engine source of a section (`sources.cpu`): stale by the server's word or by its
   * own max age on our clock. */
  function sourceStale(source) {
    if (!source || typeof source !== "object") return false;
    if (source.state === "stale") return true;
    const at = typeof source.collected_at === "string" ? Date.parse(source.collected_at) : NaN;
    return typeof source.max_age_s === "number" && Number.isFinite(at) &&
      serverNow() > at + source.max_age_s * 1000;
  }

  /** Whether the parts `names` of a section are stale (the whole section when the feed
   * sends no per-source detail): CPU and memory stay live while the board table fails. */
  function partStale(section, names) {
    const sources = section && section.sources && typeof section.sources === "object"
      ? section.sources
      : null;
    if (!sources) return sectionStale(section);
    return names.some((name) => sourceStale(sources[name]));
  }

  /** {at: server ms of the stale data shown, error} of one stale part of a card. */
  function staleTimeAndWhy(name, section) {
    if (name === "system_metrics" && section && section.sources) {
      const parts = ["cpu", "memory"]
        .map((source) => section.sources[source])
        .filter((source) => sourceStale(source))
        .map((source) => ({ at: Date.parse(source.collected_at), error: source.error }))
        .filter((part) => Number.isFinite(part.at))
        .sort((a, b) => a.at - b.at);
      if (parts.length) return parts[0];
    }
    return { at: epochMs(section), error: section ? section.error : null };
  }

  function staleReason(section) {
    const code = section && section.error && typeof section.error.code === "string"
      ? section.error.code
      : null;
    if (code === null) return t("reason.overdue");
    const key = `reason.${code}`;
    return t(key) === key ? t("reason.other") : t(key);
  }

  function recordTotal(view, section) {
    const total = section ? toBigInt(section.total) : null;
    if (total === null) return; // a gap stays a gap
    const at = epochMs(section) ?? serverNow();
    const last = view.history[view.history.length - 1];
    if (last && last.t >= at) {
      if (last.t === at) last.v = total;
      return;
    }
    view.history.push({ t: at, v: total });
    trimWindow(view.history, at);
  }

  function uplinksOf(section) {
    const rows = section && Array.isArray(section.interfaces) ? section.interfaces : [];
    const monitored = rows.filter((row) => row.monitored === true);
    return (monitored.length ? monitored : rows).map((row) => row.name);
  }

  function recordTraffic(view, section) {
    if (!section || typeof section !== "object") return;
    const at = epochMs(section);
    if (at === null) return;
    const last = view.traffic[view.traffic.length - 1];
    if (last && last.t >= at) return;
    const value = (bps) => (typeof bps === "number" && Number.isFinite(bps) ? bps : null);
    view.traffic.push({ t: at, in: value(section.total_in_bps), out: value(section.total_out_bps) });
    trimWindow(view.traffic, at);
  }

  function trimWindow(points, newest) {
    const oldest = newest - HISTORY_WINDOW_MS;
    while (points.length > HISTORY_MAX_POINTS || (points.length && points[0].t < oldest)) {
      points.shift();
    }
  }

  /** GET /api/history for one router: {metric: [[epoch s, value | null], ...]}. */
  async function fetchHistory(router, metrics) {
    const query = new URLSearchParams({
      router,
      since: String(-HISTORY_WINDOW_MS / 1000),
      max_points: String(HISTORY_MAX_POINTS),
    });
    for (const metric of metrics) query.append("metric", metric);
    const headers = TOKEN ? { Authorization: `Bearer ${TOKEN}` } : {};
    const response = await fetch(`/api/history?${query}`, { headers, cache: "no-store" });
    if (!response.ok) throw new Error(`history: HTTP ${response.status}`);
    const body = await response.json();
    const series = {};
    for (const entry of Array.isArray(body.series) ? body.series : []) {
      if (entry && typeof entry.metric === "string" && Array.isArray(entry.points)) {
        series[entry.metric] = entry.points;
      }
    }
    return series;
  }

  /** Stored points older than the first live one, then the live ones. */
  function mergeBefore(stored, live) {
    const first = live.length ? live[0].t : Infinity;
    return [...stored.filter((point) => point.t < first), ...live].slice(-HISTORY_MAX_POINTS);
  }

  function loadSubscriberHistory(view) {
    if (view.loaded.subscribers) return;
    view.loaded.subscribers = true;
    fetchHistory(view.name, ["subscribers.total"])
      .then((series) => {
        const stored = (series["subscribers.total"] || []).map(([t, v]) => ({
          t: t * 1000,
          v: typeof v === "number" && Number.isFinite(v) ? BigInt(Math.round(v)) : null,
        }));
        view.history = mergeBefore(stored, view.history);
        scheduleRender();
      })
      .catch((error) => {
        console.warn("wall: no subscriber history for", view.name, error);
        view.loaded.subscribers = false; // ask again on the next welcome
      });
  }

  /** Sum the uplinks' stored rates: at each stored time, the newest point of every uplink
   * (sample and hold); unknown while any uplink has no value yet or a gap. */
  function sumUplinks(series, names, key) {
    const lists = names.map((name) => series[`if.${name}.${key}`] || []);
    const times = [...new Set(lists.flatMap((list) => list.map(([t]) => t)))].sort((a, b) => a - b);
    const cursors = lists.map(() => -1);
    return times.map((t) => {
      let sum = 0;
      let known = true;
      lists.forEach((list, index) => {
        while (cursors[index] + 1 < list.length && list[cursors[index] + 1][0] <= t) {
          cursors[index] += 1;
        }
        const point = cursors[index] >= 0 ? list[cursors[index]] : null;
        if (!point || typeof point[1] !== "number") known = false;
        else sum += point[1];
      });
      return { t: t * 1000, v: known ? sum : null };
    });
  }

  function loadTrafficHistory(view, section) {
    if (view.loaded.traffic) return;
    const names = uplinksOf(section).slice(0, HISTORY_MAX_UPLINKS);
    if (!names.length) return;
    view.loaded.traffic = true;
    const metrics = names.flatMap((name) => [`if.${name}.in_bps`, `if.${name}.out_bps`]);
    fetchHistory(view.name, metrics)
      .then((series) => {
        const inbound = sumUplinks(series, names, "in_bps");
        const outbound = new Map(sumUplinks(series, names, "out_bps").map((p) => [p.t, p.v]));
        const stored = inbound.map((p) => ({ t: p.t, in: p.v, out: outbound.get(p.t) ?? null }));
        view.traffic = mergeBefore(stored, view.traffic);
        scheduleRender();
      })
      .catch((error) => {
        console.warn("wall: no traffic history for", view.name, error);
        view.loaded.traffic = false;
      });
  }

  // ---------------------------------------------------------------- messages

  function handle(message) {
    if (!message || typeof message !== "object") return;
    state.lastMessageAt = new Date();
    if (typeof message.epoch === "number") {
      state.serverOffsetMs = message.epoch * 1000 - Date.now();
    }
    if (state.connection !== "live") setConnection("live");
    switch (message.type) {
      case "welcome":
        onWelcome(message);
        break;
      case "router_data":
        onRouterData(message);
        break;
      case "system_status":
        onSystemStatus(message);
        break;
      case "alert":
        onAlert(message.alert);
        break;
      default:
        break; // heartbeat, pong, subscribed, error: being heard is all they tell us
    }
    scheduleRender();
  }

  function onWelcome(message) {
    if (state.loadedServerMs === null) state.loadedServerMs = serverNow();
    if (typeof message.mass_drop_percent === "number" && message.mass_drop_percent > 0) {
      state.massDropPercent = message.mass_drop_percent;
    }
    // The server replays the active alerts after its welcome; drop what we held so alerts
    // cleared while we were away do not linger.
    state.alerts.clear();
    if (!Array.isArray(message.routers)) return;
    // The server's list is the truth: forget routers it no longer monitors, keep its order.
    const listed = message.routers.filter((name) => typeof name === "string");
    for (const [name, view] of state.routers) {
      if (!listed.includes(name)) {
        view.card?.remove();
        state.routers.delete(name);
      }
    }
    state.knownRouters = [];
    for (const name of listed) {
      const view = routerView(name); // re-lists them in the server's order
      if (wanted(name)) loadSubscriberHistory(view);
    }
  }

  function onRouterData(message) {
    if (typeof message.router !== "string") return;
    const view = routerView(message.router);
    const data = message.data && typeof message.data === "object" ? message.data : {};
    for (const [name, section] of Object.entries(data)) {
      view.sections[name] = section; // null: not collected (shown as —)
      const at = epochMs(section);
      if (at !== null && (view.lastDataMs === null || at > view.lastDataMs)) view.lastDataMs = at;
      if (name === "online_total") recordTotal(view, section);
      if (name === "network_traffic") {
        recordTraffic(view, section);
        if (wanted(view.name)) loadTrafficHistory(view, section);
      }
    }
  }

  function onSystemStatus(message) {
    const status = message.status && typeof message.status === "object" ? message.status : {};
    for (const [name, entry] of Object.entries(status)) {
      routerView(name).status = entry;
    }
  }

  function onAlert(alert) {
    if (!alert || typeof alert.id !== "string") return;
    if (alert.cleared_at) {
      state.alerts.delete(alert.id);
      return;
    }
    state.alerts.set(alert.id, alert);
    if (typeof alert.router === "string") routerView(alert.router);
    const key = `${alert.id}@${alert.raised_at}`;
    const fresh = !state.heardAlerts.has(key);
    state.heardAlerts.add(key);
    const raised = Date.parse(alert.raised_at);
    const newSinceLoad = state.loadedServerMs === null || !(raised < state.loadedServerMs);
    if (fresh && newSinceLoad && alert.severity === "critical" && wanted(alert.router)) {
      alarm();
    }
  }

  // ---------------------------------------------------------------- sound

  let audio = null;

  function alarm() {
    if (!SOUND) return;
    state.alarmsPlayed += 1;
    try {
      audio = audio || new AudioContext();
      if (audio.state === "suspended") audio.resume().catch(() => {});
      const start = audio.currentTime + 0.05;
      for (let i = 0; i < 3; i += 1) {
        const at = start + i * 0.35;
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.type = "square";
        tone.frequency.setValueAtTime(i % 2 ? 660 : 880, at);
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.25);
        tone.connect(gain).connect(audio.destination);
        tone.start(at);
        tone.stop(at + 0.3);
      }
    } catch (error) {
      console.warn("wall: cannot play the alarm", error);
    }
    updateSoundHint();
  }

  function updateSoundHint() {
    const hint = document.getElementById("sound-hint");
    hint.hidden = !SOUND || (audio !== null && audio.state === "running");
  }

  function enableSound() {
    audio = audio || new AudioContext();
    audio.resume().then(updateSoundHint, updateSoundHint);
  }

  // ---------------------------------------------------------------- connection

  let socket = null;
  let attempt = 0;
  let reconnectTimer = null;
  let pingTimer = null;

  function feedUrl() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const query = TOKEN ? `?token=${encodeURIComponent(TOKEN)}` : "";
    return `${scheme}//${location.host}/ws/monitor${query}`;
  }

  function connect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    let ws;
    try {
      ws = new WebSocket(feedUrl());
    } catch (error) {
      console.warn("wall: cannot open the feed", error);
      scheduleReconnect();
      return;
    }
    socket = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      attempt = 0;
      if (FILTER.length) ws.send(JSON.stringify({ type: "subscribe", routers: FILTER }));
      clearInterval(pingTimer);
      pingTimer = setInterval(() => {
        if (ws.readyState === WebSocket.OPEN) ws.send("ping");
      }, PING_EVERY_MS);
    };
    ws.onmessage = (event) => {
      if (ws !== socket) return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      handle(message);
    };
    ws.onclose = () => {
      if (ws !== socket) return;
      clearInterval(pingTimer);
      socket = null;
      if (state.connection !== "denied") {
        setConnection(state.everConnected ? "stale" : "connecting");
      }
      if (!opened) probeAccess();
      scheduleReconnect();
    };
  }

  /** A refused WebSocket handshake looks like any network error to a script (code 1006).
   * The page URL carries the same token and the feed guards it the same way, so ask for
   * it again: 401/403 means the token is refused, which the room should be told. */
  function probeAccess() {
    fetch(location.pathname + location.search, { method: "HEAD", cache: "no-store" })
      .then((response) => {
        const refused = response.status === 401 || response.status === 403;
        if (state.connection !== "live") {
          setConnection(refused ? "denied" : state.everConnected ? "stale" : "connecting");
        }
      })
      .catch(() => {}); // the server is down: that is what stale already says
  }

  function scheduleReconnect() {
    if (reconnectTimer !== null) return;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
    attempt += 1;
    const delay = base * (0.8 + Math.random() * 0.4);
    reconnectTimer = setTimeout(connect, delay);
  }

  function setConnection(next) {
    if (next === "live") {
      state.everConnected = true;
      state.staleSince = null;
    } else if ((next === "stale" || next === "denied") && state.staleSince === null &&
      state.everConnected) {
      state.staleSince = state.lastMessageAt || new Date();
    }
    state.connection = next;
    document.body.classList.toggle("stale", next === "stale" || next === "denied");
    scheduleRender();
  }

  function watchdog() {
    if (state.connection !== "live" || !state.lastMessageAt) return;
    if (Date.now() - state.lastMessageAt.getTime() > SILENCE_LIMIT_MS) {
      setConnection("stale");
      if (socket) {
        const dead = socket;
        socket = null;
        clearInterval(pingTimer);
        dead.close();
        scheduleReconnect();
      }
    }
  }

  // ---------------------------------------------------------------- rendering

  let renderTimer = null;

  function scheduleRender() {
    if (renderTimer === null) renderTimer = setTimeout(render, 40);
  }

  function visibleRouters() {
    const names = state.knownRouters.filter(wanted);
    if (!ROTATE_SECONDS || names.length < 2) return names;
    return [names[state.rotateIndex % names.length]];
  }

  function render() {
    renderTimer = null;
    renderStatus();
    const wall = document.getElementById("wall");
    const names = visibleRouters();
    const empty = document.getElementById("empty");
    empty.hidden = names.length > 0;
    if (!names.length) {
      empty.textContent = FILTER.length && state.everConnected && state.knownRouters.length
        ? t("noMatch", { names: FILTER.join(", ") })
        : t("waiting");
    }
    layout(wall, names.length);
    for (const view of state.routers.values()) {
      if (view.card) view.card.hidden = !names.includes(view.name);
    }
    for (const name of names) {
      const view = state.routers.get(name);
      if (!view.card) {
        view.card = makeCard(view);
      }
      // Keep DOM order = server order so the grid does not shuffle.
      wall.appendChild(view.card);
      renderCard(view);
    }
    const rotation = document.getElementById("rotation");
    const all = state.knownRouters.filter(wanted);
    rotation.hidden = !(ROTATE_SECONDS && all.length > 1);
    rotation.textContent = `${(state.rotateIndex % Math.max(all.length, 1)) + 1}/${all.length}`;
  }

  function renderStatus() {
    const box = document.getElementById("feed-status");
    const text = document.getElementById("feed-text");
    box.dataset.state = state.connection;
    if (state.connection === "live") {
      text.textContent = t("live");
    } else if (state.connection === "stale") {
      text.textContent = state.staleSince
        ? t("staleSince", { time: formatClock(state.staleSince) })
        : t("noConnection");
    } else if (state.connection === "denied") {
      text.textContent = state.staleSince
        ? t("deniedSince", { time: formatClock(state.staleSince) })
        : t("denied");
    } else {
      text.textContent = t("connecting");
    }
    document.getElementById("clock").textContent = formatClock(new Date());
  }

  /** Columns x rows that give each card the most room for the screen's shape. */
  function layout(wall, count) {
    const width = wall.clientWidth || window.innerWidth;
    const height = wall.clientHeight || window.innerHeight;
    let best = { cols: 1, rows: 1, score: -1 };
    for (let cols = 1; cols <= Math.max(count, 1); cols += 1) {
      const rows = Math.ceil(Math.max(count, 1) / cols);
      const score = Math.min(width / cols / 1.2, height / rows);
      if (score > best.score) best = { cols, rows, score };
    }
    wall.style.gridTemplateColumns = `repeat(${best.cols}, minmax(0, 1fr))`;
    wall.style.gridTemplateRows = `repeat(${best.rows}, minmax(0, 1fr))`;
    wall.dataset.count = String(count);
  }

  function makeCard(view) {
    const card = document.getElementById("card-template").content.firstElementChild
      .cloneNode(true);
    card.dataset.router = view.name;
    card.querySelector(".router-name").textContent = view.name;
    card.querySelector(".subs-label").textContent = t("subscribers");
    card.querySelector(".gauge-cpu .gauge-label").textContent = t("cpu");
    card.querySelector(".gauge-mem .gauge-label").textContent = t("memory");
    card.querySelector(".traffic-label").textContent = t("uplink");
    return card;
  }

  const DOWN_STATES = new Set(["unreachable", "auth_failed", "no_credentials", "host_key_changed", "closed"]);

  function renderCard(view) {
    const card = view.card;
    const status = view.status || {};
    const poolState = typeof status.state === "string" ? status.state : "unknown";
    card.dataset.state = poolState === "connected"
      ? "up"
      : DOWN_STATES.has(poolState) ? "down" : poolState === "unknown" ? "unknown" : "degraded";
    const badge = card.querySelector(".router-state");
    badge.textContent = t(`state.${poolState}`) === `state.${poolState}` ? poolState : t(`state.${poolState}`);
    badge.title = status.last_error || "";

    const updated = card.querySelector(".updated");
    // What the card shows of each section: the gauges are only CPU and memory.
    const shown = {
      online_total: (section) => sectionStale(section),
      system_metrics: (section) => partStale(section, ["cpu", "memory"]),
      network_traffic: (section) => sectionStale(section),
    };
    const stale = Object.keys(shown).filter((name) => shown[name](view.sections[name]));
    card.classList.toggle("card-stale", stale.length > 0);
    card.querySelector(".subs").classList.toggle("stale", stale.includes("online_total"));
    card.querySelector(".gauges").classList.toggle("stale", stale.includes("system_metrics"));
    card.querySelector(".traffic").classList.toggle("stale", stale.includes("network_traffic"));
    if (stale.length) {
      // Since the oldest figure on the card that is not current, and why.
      const oldest = stale
        .map((name) => staleTimeAndWhy(name, view.sections[name]))
        .filter((entry) => entry.at !== null)
        .sort((a, b) => a.at - b.at)[0] || staleTimeAndWhy(stale[0], view.sections[stale[0]]);
      const since = oldest.at !== null ? new Date(oldest.at - state.serverOffsetMs) : null;
      updated.textContent = since
        ? t("staleSectionSince", { time: formatClock(since), reason: staleReason(oldest) })
        : staleReason(oldest);
      updated.title = oldest.error ? String(oldest.error.message || "") : "";
    } else if (view.lastDataMs === null) {
      updated.textContent = "";
      updated.title = "";
    } else {
      const local = new Date(view.lastDataMs - state.serverOffsetMs);
      updated.textContent = t("updated", { time: formatClock(local) });
      updated.title = "";
    }

    renderSubscribers(view);
    const metrics = view.sections.system_metrics || null;
    renderGauge(card.querySelector(".gauge-cpu"), metrics ? metrics.cpu_percent : null);
    renderGauge(card.querySelector(".gauge-mem"), metrics ? metrics.memory_percent : null);
    renderTraffic(card, view.sections.network_traffic || null);
    drawTraffic(card.querySelector(".traffic-spark"), view.traffic);
    renderAlerts(card, view.name);
  }

  /** The colour of a change: only a move as large as the mass-drop alert's threshold is an
   * incident (red for a fall, green for the recovery); churn of a few users stays neutral. */
  function trendOf(base, delta) {
    if (base <= 0n || delta === 0n) return "flat";
    const magnitude = delta < 0n ? -delta : delta;
    // percent of the base, in integer arithmetic on BigInt (totals may exceed 2**53)
    const significant = magnitude * 10000n >= base * BigInt(Math.round(state.massDropPercent * 100));
    if (!significant) return "flat";
    return delta < 0n ? "down" : "up";
  }

  function renderSubscribers(view) {
    const card = view.card;
    const online = view.sections.online_total || null;
    const totalBox = card.querySelector(".subs-total");
    setFitted(totalBox, formatCount(online ? online.total : null));

    const change = card.querySelector(".subs-change");
    const history = view.history;
    const known = history.filter((point) => point.v !== null);
    if (known.length >= 2) {
      const first = known[0];
      const last = known[known.length - 1];
      const delta = last.v - first.v;
      change.textContent = t("change", {
        delta: formatSigned(delta),
        duration: formatDuration(last.t - first.t),
      });
      change.dataset.trend = trendOf(first.v, delta);
    } else {
      change.textContent = DASH;
      change.dataset.trend = "flat";
    }
    drawSparkline(card.querySelector(".spark"), history);
  }

  /** Draw the sparkline. Values are taken relative to the minimum as BigInt first, so the
   * conversion to plotting numbers never loses the shape however large the counters. The
   * vertical span is at least 1% of the level (and 10 subscribers): churn of a few users
   * stays a gentle wiggle, while a real drop still shows as a cliff. A gap breaks the line. */
  function drawSparkline(svg, history) {
    const line = svg.querySelector(".spark-line");
    const area = svg.querySelector(".spark-area");
    const known = history.filter((point) => point.v !== null);
    if (known.length < 2) {
      line.setAttribute("d", "");
      area.setAttribute("d", "");
      return;
    }
    let min = known[0].v;
    let max = known[0].v;
    for (const point of known) {
      if (point.v < min) min = point.v;
      if (point.v > max) max = point.v;
    }
    const level = max < 0n ? -max : max;
    const floor = level / 100n > 10n ? level / 100n : 10n;
    const range = max - min > floor ? max - min : floor;
    const base = min - (range - (max - min)) / 2n; // centre the data in the span
    const span = Number(range);
    const y = (point) => 94 - (Number(point.v - base) / span) * 88;
    const [lineD, areaD] = sparkPaths(history, y);
    line.setAttribute("d", lineD);
    area.setAttribute("d", areaD);
  }

  /** SVG paths (line, area) of points {t, v}: x over the time span, `y(point)` for the
   * height; a point whose v is null starts a new segment. */
  function sparkPaths(points, y) {
    const t0 = points[0].t;
    const tSpan = Math.max(points[points.length - 1].t - t0, 1);
    const segments = [[]];
    for (const point of points) {
      if (point.v === null) {
        if (segments[segments.length - 1].length) segments.push([]);
        continue;
      }
      const x = ((point.t - t0) / tSpan) * 1000;
      segments[segments.length - 1].push([x.toFixed(1), y(point).toFixed(1)]);
    }
    const drawn = segments.filter((segment) => segment.length);
    const line = drawn.map((segment) => `M${segment.map((xy) => xy.join(",")).join("L")}`);
    const area = drawn.map((segment) =>
      `M${segment[0][0]},100L${segment.map((xy) => xy.join(",")).join("L")}` +
      `L${segment[segment.length - 1][0]},100Z`);
    return [line.join(""), area.join("")];
  }

  /** The uplinks' total in and out over the last hour, from 0 bit/s: traffic is drawn to
   * scale, so a quiet night is low and a busy evening high, never noise stretched to fill. */
  function drawTraffic(svg, traffic) {
    const lineIn = svg.querySelector(".spark-in");
    const lineOut = svg.querySelector(".spark-out");
    const values = traffic.flatMap((p) => [p.in, p.out]).filter((v) => v !== null);
    if (traffic.length < 2 || values.length < 2) {
      lineIn.setAttribute("d", "");
      lineOut.setAttribute("d", "");
      return;
    }
    const top = Math.max(...values, 1);
    const y = (point) => 96 - (point.v / top) * 90;
    // Inbound as a faint area, outbound as a line: both readable behind the rates.
    lineIn.setAttribute("d", sparkPaths(traffic.map((p) => ({ t: p.t, v: p.in })), y)[1]);
    lineOut.setAttribute("d", sparkPaths(traffic.map((p) => ({ t: p.t, v: p.out })), y)[0]);
  }

  function renderGauge(gauge, value) {
    const known = typeof value === "number" && Number.isFinite(value);
    gauge.querySelector(".gauge-value").textContent = formatPercent(value);
    gauge.querySelector(".bar-fill").style.width = known ? `${Math.min(100, Math.max(0, value))}%` : "0";
    gauge.dataset.level = !known ? "none" : value >= 90 ? "bad" : value >= 75 ? "warn" : "ok";
  }

  function renderTraffic(card, traffic) {
    const rows = card.querySelector(".traffic-rows");
    rows.replaceChildren();
    const all = traffic && Array.isArray(traffic.interfaces) ? traffic.interfaces : null;
    // The uplinks: the router's monitored interfaces when it has any, else every one polled.
    const uplinks = all ? all.filter((row) => row.monitored === true) : null;
    const interfaces = uplinks && uplinks.length ? uplinks : all;
    if (!interfaces || interfaces.length === 0) {
      const none = document.createElement("div");
      none.className = "none";
      none.textContent = interfaces ? t("noTraffic") : DASH;
      rows.append(none);
      return;
    }
    for (const row of interfaces) {
      const name = document.createElement("div");
      name.className = "if-name";
      name.textContent = shortInterface(row.name);
      name.title = row.description || row.name;
      const down = row.phy_up === false;
      if (down) name.classList.add("if-down");
      if (down) {
        const state = document.createElement("div");
        state.className = "rate rate-down"; // spans both rate columns
        state.textContent = t("ifDown");
        rows.append(name, state);
        continue;
      }
      const input = document.createElement("div");
      input.className = "rate rate-in";
      input.textContent = formatRate(row.in_bps);
      const output = document.createElement("div");
      output.className = "rate rate-out";
      output.textContent = formatRate(row.out_bps);
      rows.append(name, input, output);
    }
    trimGrid(rows);
  }

  function renderAlerts(card, router) {
    const alerts = [...state.alerts.values()]
      .filter((alert) => alert.router === router)
      .sort((a, b) => (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9) ||
        String(b.raised_at).localeCompare(String(a.raised_at)));
    renderSeverityCounts(card.querySelector(".alerts-label"), alerts);
    const list = card.querySelector(".alert-list");
    list.replaceChildren();
    if (alerts.length === 0) {
      const none = document.createElement("li");
      none.className = "alert-none";
      none.textContent = t("noAlerts");
      list.append(none);
      return;
    }
    for (const alert of alerts) {
      const item = document.createElement("li");
      item.className = "alert";
      item.dataset.severity = alert.severity;
      const severity = document.createElement("span");
      severity.className = "sev";
      severity.textContent = t(`severity.${alert.severity}`);
      const text = document.createElement("span");
      text.className = "msg";
      text.textContent = alert.message || alert.kind || "";
      text.title = text.textContent;
      const age = document.createElement("span");
      age.className = "age";
      const raised = new Date(alert.raised_at);
      age.textContent = Number.isNaN(raised.getTime()) ? "" : formatAlertTime(raised);
      item.append(severity, text, age);
      list.append(item);
    }
    trimList(list, alerts.length);
  }

  /** Active alerts counted by severity: the label, then one coloured count per severity
   * present ("Active alerts · 1 critical · 2 minor"); minor and warning count too. */
  function severityCounts(alerts) {
    const counts = { critical: 0, major: 0, minor: 0, warning: 0 };
    for (const alert of alerts) {
      if (alert.severity in counts) counts[alert.severity] += 1;
    }
    return counts;
  }

  function renderSeverityCounts(label, alerts) {
    const counts = severityCounts(alerts);
    label.replaceChildren(document.createTextNode(t("alerts")));
    for (const severity of Object.keys(SEVERITY_ORDER)) {
      const n = counts[severity] ?? 0;
      if (!n) continue;
      const count = document.createElement("span");
      count.className = "sev-count";
      count.dataset.severity = severity;
      // pt and en alike: 1 is singular, every other count plural.
      count.textContent = t(`count.${severity}.${n === 1 ? "one" : "many"}`, {
        n: formatCount(n),
      });
      label.append(count);
    }
  }

  /** Remove the last items that do not fit and say how many are hidden. */
  function trimList(list, total) {
    if (list.scrollHeight <= list.clientHeight + 1) return;
    const more = document.createElement("li");
    more.className = "alert-more";
    list.append(more);
    let shown = total;
    while (shown > 0 && list.scrollHeight > list.clientHeight + 1) {
      more.previousElementSibling.remove();
      shown -= 1;
      more.textContent = t("more", { n: formatCount(total - shown) });
    }
  }

  /** Same for the traffic table: drop whole interface rows (each starts with its name)
   * past half of the room left under the gauges; the other half is for the alerts. */
  function trimGrid(grid) {
    const side = grid.closest(".side").getBoundingClientRect();
    const top = grid.getBoundingClientRect().top;
    const limit = top + (side.bottom - top) * 0.5;
    const overflows = () => grid.getBoundingClientRect().bottom > limit + 1;
    if (!overflows()) return;
    const total = grid.querySelectorAll(".if-name").length;
    const more = document.createElement("div");
    more.className = "none";
    grid.append(more);
    let shown = total;
    while (shown > 1 && overflows()) {
      const names = grid.querySelectorAll(".if-name");
      const last = names[names.length - 1];
      while (last.nextElementSibling !== more) last.nextElementSibling.remove();
      last.remove();
      shown -= 1;
      more.textContent = t("more", { n: formatCount(total - shown) });
    }
  }

  /** Set text and shrink the font if a long number would overflow its box. */
  function setFitted(element, text) {
    if (element.textContent !== text || element.dataset.fitWidth !== String(element.clientWidth)) {
      element.textContent = text;
      element.style.fontSize = "";
      const available = element.clientWidth;
      const needed = element.scrollWidth;
      if (needed > available && available > 0) {
        const size = Number.parseFloat(getComputedStyle(element).fontSize);
        element.style.fontSize = `${Math.floor((size * available) / needed * 0.97)}px`;
      }
      element.dataset.fitWidth = String(element.clientWidth);
    }
  }

  // ---------------------------------------------------------------- start

  function tick() {
    watchdog();
    render();
  }

  function start() {
    document.documentElement.lang = LOCALE;
    document.getElementById("empty").textContent = t("waiting");
    document.getElementById("feed-text").textContent = t("connecting");
    const hint = document.getElementById("sound-hint");
    hint.textContent = t("soundHint");
    hint.addEventListener("click", enableSound);
    document.addEventListener("click", () => { if (SOUND) enableSound(); });
    if (SOUND) {
      try {
        audio = new AudioContext();
        audio.onstatechange = updateSoundHint;
      } catch {
        audio = null;
      }
      updateSoundHint();
    }
    if (ROTATE_SECONDS) {
      setInterval(() => {
        state.rotateIndex += 1;
        scheduleRender();
      }, ROTATE_SECONDS * 1000);
    }
    window.addEventListener("resize", scheduleRender);
    setInterval(tick, 1000);
    render();
    connect();
  }

  // For the tests and for anyone debugging a wall from the browser console.
  window.NE8000Wall = {
    state,
    handle,
    formatCount,
    formatRate,
    formatPercent,
    toBigInt,
    locale: LOCALE,
    get alarmsPlayed() { return state.alarmsPlayed; },
    severityCounts,
    get audioState() { return audio === null ? null : audio.state; },
    flush() {
      clearTimeout(renderTimer);
      render();
    },
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
