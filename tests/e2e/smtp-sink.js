// A small real SMTP server for the browser journeys: vesoc delivers its
// outbox here (scripts/test.sh passes --smtp-url), and the journey reads
// what arrived. EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
'use strict';
const net = require('node:net');

function start(port) {
  const received = [];
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffer = '';
    let inData = false;
    let current = { to: [], data: '' };
    socket.write('220 sink.e2e ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let i;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            received.push(current);
            current = { to: [], data: '' };
            socket.write('250 OK\r\n');
          } else {
            current.data += `${line.startsWith('..') ? line.slice(1) : line}\r\n`;
          }
          continue;
        }
        const upper = line.toUpperCase();
        if (upper.startsWith('EHLO') || upper.startsWith('HELO')) socket.write('250-sink.e2e\r\n250 8BITMIME\r\n');
        else if (upper.startsWith('MAIL FROM:')) { current = { to: [], data: '' }; socket.write('250 OK\r\n'); }
        else if (upper.startsWith('RCPT TO:')) { current.to.push(line.slice(8).trim()); socket.write('250 OK\r\n'); }
        else if (upper === 'DATA') { inData = true; socket.write('354 Einde met .\r\n'); }
        else if (upper === 'QUIT') { socket.end('221 Tot ziens\r\n'); }
        else if (upper.startsWith('RSET') || upper.startsWith('NOOP')) socket.write('250 OK\r\n');
        else socket.write('502 Onbekend\r\n');
      }
    });
    socket.on('error', () => {});
  });
  // vesoc keeps its SMTP connection open for the next message: stopping
  // the sink ends those connections too, or node would wait for them.
  const stop = () => {
    for (const s of sockets) s.destroy();
    server.close();
  };
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => resolve({ server, received, stop }));
  });
}

/** The text of a message: quoted-printable soft breaks and escapes undone. */
function decoded(data) {
  return data.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

/** Waits until a message to `address` has arrived (vesoc sends on NOTIFY),
 * the first one whose decoded text matches `match` when given. */
async function waitFor(received, address, ms = 15_000, match = null) {
  const until = Date.now() + ms;
  for (;;) {
    const m = received
      .filter((r) => r.to.some((t) => t.toLowerCase() === `<${address}>`))
      .map((r) => decoded(r.data))
      .find((text) => !match || match.test(text));
    if (m) return m;
    if (Date.now() > until) throw new Error(`no message to ${address} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

module.exports = { start, waitFor };
