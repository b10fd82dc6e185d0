/**
 * The room's call: peer-to-peer WebRTC between the interviewer and the candidate, signalled over
 * the room socket (docs/protocol.md, "The call"). Perfect negotiation: the candidate is the polite
 * peer, so an offer collision resolves the same way on both sides.
 *
 * Phases: idle (not joined) · starting (asking for the microphone) · waiting (joined, peer not in
 * the call) · connecting · connected · reconnecting · failed · ended.
 */

const SPEAKING_LEVEL = 0.02; // RMS of the microphone signal above which someone is speaking
const RESTART_AFTER_MS = 3000; // a connection "disconnected" this long is restarted
const JOINED_KEY = (id) => `mocklane-call-${id}`;

export function mediaErrorMessage(err) {
  const name = err?.name ?? "";
  if (name === "NotAllowedError" || name === "SecurityError") {
    return "The browser was not allowed to use your microphone. Allow it in the address bar, then try again.";
  }
  if (name === "NotFoundError" || name === "OverconstrainedError") {
    return "No microphone was found. Connect one, then try again.";
  }
  if (name === "NotReadableError") return "Your microphone is in use by another program. Close it, then try again.";
  return `The call could not start (${name || "unknown error"}).`;
}

class LevelMeter {
  constructor(stream, context) {
    this.source = context.createMediaStreamSource(stream);
    this.analyser = context.createAnalyser();
    this.analyser.fftSize = 512;
    this.buffer = new Float32Array(this.analyser.fftSize);
    this.source.connect(this.analyser);
  }

  level() {
    this.analyser.getFloatTimeDomainData(this.buffer);
    let sum = 0;
    for (const v of this.buffer) sum += v * v;
    return Math.sqrt(sum / this.buffer.length);
  }

  stop() {
    try {
      this.source.disconnect();
    } catch {
      /* already disconnected */
    }
  }
}

export class CallClient {
  constructor({ room, interviewId, iceUrl, polite }) {
    this.room = room;
    this.interviewId = interviewId;
    this.iceUrl = iceUrl;
    this.polite = polite;
    this.pc = null;
    this.localStream = null;
    this.remoteStream = null;
    this.iceServers = [];
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.restartTimer = null;
    this.audioContext = null;
    this.localMeter = null;
    this.remoteMeter = null;
    this.meterTimer = null;
    this._joinSent = false;
    this._listeners = new Set();
    this.state = {
      phase: "idle",
      error: null,
      muted: false,
      cameraOn: false,
      peerInCall: false,
      peer: null,
      peerSpeaking: false,
      level: 0,
      speakingWhileMuted: false,
      mics: [],
      cams: [],
      micId: "",
      camId: "",
      remoteVideo: false,
    };
    room.onCall = (msg) => this._onMessage(msg);
    room.onCallEnded = () => this.end();
    room.onReconnect = () => {
      // The server forgets the call when the room socket drops: join again.
      if (this._joinSent) this.room.socket.send({ type: "call", action: "join" });
    };
  }

  subscribe = (fn) => {
    this._listeners.add(fn);
    return () => this._listeners.delete(fn);
  };

  getState = () => this.state;

  /** Was this browser in the call before a reload? Then join again by itself. */
  wasJoined() {
    try {
      return sessionStorage.getItem(JOINED_KEY(this.interviewId)) === "1";
    } catch {
      return false;
    }
  }

  async join() {
    if (this.localStream) return;
    this._set({ phase: "starting", error: null });
    try {
      await this._loadIceServers();
      this.localStream = await navigator.mediaDevices.getUserMedia({
        audio: this.state.micId ? { deviceId: { exact: this.state.micId } } : true,
        video: false,
      });
    } catch (err) {
      this._set({ phase: "idle", error: { code: err?.name ?? "error", message: mediaErrorMessage(err) } });
      return;
    }
    try {
      sessionStorage.setItem(JOINED_KEY(this.interviewId), "1");
    } catch {
      /* private mode */
    }
    this._startMeters();
    await this._listDevices();
    this._joinSent = true;
    this._set({ phase: "waiting" });
    this.room.socket.send({ type: "call", action: "join" });
  }

  leave({ notify = true, phase = "idle" } = {}) {
    if (notify) {
      this._signal({ kind: "hangup" });
      this.room.socket.send({ type: "call", action: "leave" });
    }
    this._joinSent = false;
    try {
      sessionStorage.removeItem(JOINED_KEY(this.interviewId));
    } catch {
      /* private mode */
    }
    this._closePeer();
    for (const track of this.localStream?.getTracks() ?? []) track.stop();
    this.localStream = null;
    this._stopMeters();
    this._set({ phase, peerInCall: false, peerSpeaking: false, cameraOn: false, level: 0, speakingWhileMuted: false });
  }

  /** The interview ended: hang up for good. */
  end() {
    if (this.localStream || this.pc) this.leave({ notify: false, phase: "ended" });
  }

  setMuted(muted) {
    for (const track of this.localStream?.getAudioTracks() ?? []) track.enabled = !muted;
    this._set({ muted });
  }

  async setCamera(on) {
    if (!this.localStream) return;
    if (on) {
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: this.state.camId ? { deviceId: { exact: this.state.camId } } : true,
        });
      } catch (err) {
        const message =
          err?.name === "NotFoundError" ? "No camera was found." : "The browser was not allowed to use your camera.";
        this._set({ error: { code: err?.name ?? "error", message } });
        return;
      }
      const [track] = stream.getVideoTracks();
      this.localStream.addTrack(track);
      this.pc?.addTrack(track, this.localStream);
      this._set({ cameraOn: true, error: null });
    } else {
      for (const track of this.localStream.getVideoTracks()) {
        track.stop();
        this.localStream.removeTrack(track);
        const sender = this.pc?.getSenders().find((s) => s.track === track);
        if (sender) this.pc.removeTrack(sender);
      }
      this._set({ cameraOn: false });
    }
    this._emit();
  }

  async chooseMic(deviceId) {
    this._set({ micId: deviceId });
    if (!this.localStream) return;
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { deviceId: { exact: deviceId } } });
    const [track] = stream.getAudioTracks();
    track.enabled = !this.state.muted;
    const [old] = this.localStream.getAudioTracks();
    const sender = this.pc?.getSenders().find((s) => s.track?.kind === "audio");
    if (sender) await sender.replaceTrack(track);
    if (old) {
      old.stop();
      this.localStream.removeTrack(old);
    }
    this.localStream.addTrack(track);
    this._stopMeters();
    this._startMeters();
  }

  async chooseCamera(deviceId) {
    this._set({ camId: deviceId });
    if (this.state.cameraOn) {
      await this.setCamera(false);
      await this.setCamera(true);
    }
  }

  /** Inbound and outbound audio counters, for the status line and tests. */
  async stats() {
    const result = { inboundAudioBytes: 0, outboundAudioBytes: 0, inboundAudioLevel: null };
    if (!this.pc) return result;
    const report = await this.pc.getStats();
    report.forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "audio") {
        result.inboundAudioBytes += s.bytesReceived ?? 0;
        if (typeof s.audioLevel === "number") result.inboundAudioLevel = s.audioLevel;
      }
      if (s.type === "outbound-rtp" && s.kind === "audio") result.outboundAudioBytes += s.bytesSent ?? 0;
    });
    return result;
  }

  // ------------------------------------------------------------------ signalling

  _onMessage(msg) {
    if (msg.type === "call") {
      switch (msg.action) {
        case "peer_joined":
          // The peer (re)joined, perhaps after a reload: start a fresh connection.
          this._set({ peerInCall: true, peer: msg.user ?? this.state.peer });
          if (this.localStream) this._newPeerConnection();
          break;
        case "peer_here":
          this._set({ peerInCall: true, peer: msg.user ?? this.state.peer });
          if (this.localStream && !this.pc) this._newPeerConnection();
          break;
        case "peer_left":
          this._closePeer();
          this._set({ peerInCall: false, peerSpeaking: false, phase: this.localStream ? "waiting" : this.state.phase });
          break;
        case "replaced":
          // This browser joined the call in another tab.
          this.leave({ notify: false });
          this._set({ error: { code: "replaced", message: "You joined the call from another tab." } });
          break;
        default:
          break;
      }
      return;
    }
    if (msg.type === "signal" && msg.signal) this._onSignal(msg.signal);
  }

  async _onSignal(signal) {
    if (!this.localStream) return;
    if (signal.kind === "hangup") {
      this._closePeer();
      this._set({ phase: "waiting", peerSpeaking: false });
      return;
    }
    if (!this.pc) this._newPeerConnection();
    const pc = this.pc;
    try {
      if (signal.kind === "offer" || signal.kind === "answer") {
        const collision = signal.kind === "offer" && (this.makingOffer || pc.signalingState !== "stable");
        this.ignoreOffer = !this.polite && collision;
        if (this.ignoreOffer) return;
        await pc.setRemoteDescription({ type: signal.kind, sdp: signal.sdp });
        if (signal.kind === "offer") {
          await pc.setLocalDescription();
          this._signal({ kind: "answer", sdp: pc.localDescription.sdp });
        }
      } else if (signal.kind === "candidate") {
        try {
          await pc.addIceCandidate(signal.candidate ?? null);
        } catch (err) {
          if (!this.ignoreOffer) throw err;
        }
      } else if (signal.kind === "restart") {
        pc.restartIce();
      }
    } catch (err) {
      console.warn("call signal failed", err);
    }
  }

  _signal(signal) {
    this.room.socket.send({ type: "signal", signal });
  }

  _newPeerConnection() {
    this._closePeer();
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    this.pc = pc;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.remoteStream = new MediaStream();
    for (const track of this.localStream.getTracks()) pc.addTrack(track, this.localStream);
    pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await pc.setLocalDescription();
        this._signal({ kind: "offer", sdp: pc.localDescription.sdp });
      } catch (err) {
        console.warn("call offer failed", err);
      } finally {
        this.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      this._signal({ kind: "candidate", candidate: candidate ? candidate.toJSON() : null });
    };
    pc.ontrack = ({ track }) => {
      const stream = this.remoteStream;
      stream.addTrack(track);
      // A camera turned off is a video track that goes quiet (muted), not one that ends.
      const showVideo = () =>
        this._set({ remoteVideo: stream.getVideoTracks().some((t) => t.readyState === "live" && !t.muted) });
      track.onmute = track.onunmute = showVideo;
      track.onended = () => {
        stream.removeTrack(track);
        showVideo();
      };
      if (track.kind === "audio") this._watchRemote();
      showVideo();
    };
    pc.onconnectionstatechange = () => this._onConnectionState(pc);
    this._set({ phase: "connecting" });
  }

  _onConnectionState(pc) {
    if (pc !== this.pc) return;
    const state = pc.connectionState;
    clearTimeout(this.restartTimer);
    if (state === "connected") {
      this._set({ phase: "connected", error: null });
    } else if (state === "disconnected") {
      this._set({ phase: "reconnecting" });
      this.restartTimer = setTimeout(() => this._restart(), RESTART_AFTER_MS);
    } else if (state === "failed") {
      this._set({ phase: "reconnecting" });
      this._restart();
    }
  }

  _restart() {
    if (!this.pc) return;
    // Either side may restart ICE: the impolite one does it, the polite one asks.
    if (this.polite) this._signal({ kind: "restart" });
    else this.pc.restartIce();
    this.restartTimer = setTimeout(() => {
      if (this.pc && this.pc.connectionState !== "connected") {
        this._set({
          phase: "failed",
          error: { code: "ice_failed", message: "The call could not reach your peer. Check your network; it keeps trying." },
        });
        this._restart();
      }
    }, 15000);
  }

  _closePeer() {
    clearTimeout(this.restartTimer);
    if (this.remoteMeter) {
      this.remoteMeter.stop();
      this.remoteMeter = null;
    }
    if (this.pc) {
      const pc = this.pc;
      this.pc = null;
      pc.onnegotiationneeded = pc.onicecandidate = pc.ontrack = pc.onconnectionstatechange = null;
      pc.close();
    }
    this.remoteStream = null;
    this._set({ remoteVideo: false });
  }

  async _loadIceServers() {
    if (!this.iceUrl) return;
    try {
      const response = await fetch(this.iceUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) {
        const body = await response.json();
        this.iceServers = Array.isArray(body.ice_servers) ? body.ice_servers : [];
      }
    } catch {
      this.iceServers = []; // on one machine no STUN/TURN is needed
    }
  }

  async _listDevices() {
    try {
      const devices = await navigator.mediaDevices.enumerateDevices();
      this._set({
        mics: devices.filter((d) => d.kind === "audioinput").map((d, i) => ({ id: d.deviceId, label: d.label || `Microphone ${i + 1}` })),
        cams: devices.filter((d) => d.kind === "videoinput").map((d, i) => ({ id: d.deviceId, label: d.label || `Camera ${i + 1}` })),
      });
    } catch {
      /* the lists stay empty */
    }
  }

  // ------------------------------------------------------------------ levels

  _context() {
    if (!this.audioContext) this.audioContext = new AudioContext();
    if (this.audioContext.state === "suspended") this.audioContext.resume().catch(() => {});
    return this.audioContext;
  }

  _startMeters() {
    if (!this.localStream) return;
    // The meter listens to a copy of the microphone that stays on, so it can tell someone who
    // speaks while muted (a muted track carries silence).
    const [track] = this.localStream.getAudioTracks();
    this.meterTrack = track ? track.clone() : null;
    if (this.meterTrack) this.meterTrack.enabled = true;
    this.localMeter = this.meterTrack ? new LevelMeter(new MediaStream([this.meterTrack]), this._context()) : null;
    this.meterTimer = setInterval(() => {
      const level = this.localMeter ? this.localMeter.level() : 0;
      const peerSpeaking = this.remoteMeter ? this.remoteMeter.level() > SPEAKING_LEVEL : false;
      const speakingWhileMuted = this.state.muted && level > SPEAKING_LEVEL;
      if (
        Math.abs(level - this.state.level) > 0.01 ||
        peerSpeaking !== this.state.peerSpeaking ||
        speakingWhileMuted !== this.state.speakingWhileMuted
      ) {
        this._set({ level, peerSpeaking, speakingWhileMuted });
      }
    }, 120);
  }

  _watchRemote() {
    if (this.remoteMeter) this.remoteMeter.stop();
    try {
      this.remoteMeter = new LevelMeter(this.remoteStream, this._context());
    } catch {
      this.remoteMeter = null;
    }
  }

  _stopMeters() {
    clearInterval(this.meterTimer);
    this.meterTimer = null;
    this.localMeter?.stop();
    this.localMeter = null;
    this.meterTrack?.stop();
    this.meterTrack = null;
  }

  _set(patch) {
    this.state = { ...this.state, ...patch };
    this._emit();
  }

  _emit() {
    for (const fn of this._listeners) fn();
  }
}
