#!/usr/bin/env bash
# make-certs.sh DIR: throw-away certificates for the TLS tests, written into DIR:
#   ca.pem / ca.key              the test CA
#   server.pem / server.key      signed by it; SAN IP:127.0.0.1, DNS:localhost
#   server-bundle.pem            server.pem + server.key (radosgw's ssl_certificate)
#   client.pem / client.key      signed by it; for mutual TLS (CN mqtt2s3-test-client)
#   other-ca.pem / other-ca.key  an unrelated CA: "wrong CA" cases trust only this one
# EC P-256 keys and 2-day validity keep it fast (about 0.1 s). Keys are created mode 0600.
set -euo pipefail
dir=${1:?usage: make-certs.sh DIR}
mkdir -p "$dir"
cd "$dir"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ca() {  # ca NAME CN
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -sha256 -days 2 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$1.pem" 2>/dev/null
}

leaf() {  # leaf NAME CN EXTENSIONS
  key "$1.key"
  openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr" 2>/dev/null
  printf '%s\n' "$3" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days 2 \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

ca ca "mqtt2s3 test CA"
ca other-ca "mqtt2s3 unrelated CA"
leaf server localhost "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost"
leaf client mqtt2s3-test-client "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
cat server.pem server.key >server-bundle.pem
# Certificates are public; mosquitto and radosgw read them as this user anyway.
chmod 0644 ca.pem other-ca.pem server.pem client.pem
