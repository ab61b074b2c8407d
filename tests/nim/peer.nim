## A Nim std/net peer for the interop tests (tests/tests/nim_interop.rs).
##
##   peer server [ssl CERT KEY]    listen on 127.0.0.1, print the port; one client: echo each
##                                 line as "echo: <line>" until the end of its stream
##   peer client PORT N [ssl CA]   send N lines "line <i>", print each echo
##   peer readlines PORT           read lines until the end of the stream; print each as hex
##                                 ("-" for Nim's empty-line marker "\r\n")
import std/[net, os, strutils]

proc hexLine(line: string): string =
  if line == "\c\L": "-" else: line.toHex

proc main() =
  let args = commandLineParams()
  case args[0]
  of "server":
    let server = newSocket()
    server.setSockOpt(OptReuseAddr, true)
    server.bindAddr(Port(0), "127.0.0.1")
    server.listen()
    when defined(ssl):
      if args.len > 1 and args[1] == "ssl":
        let ctx = newContext(certFile = args[2], keyFile = args[3])
        wrapSocket(ctx, server)
    echo server.getLocalAddr()[1].int
    stdout.flushFile()
    var client: Socket
    var address = ""
    server.acceptAddr(client, address)
    while true:
      let line = client.recvLine()
      if line == "": break
      client.send("echo: " & (if line == "\c\L": "" else: line) & "\c\L")
    client.close()
    server.close()
  of "client":
    let socket = newSocket()
    when defined(ssl):
      if args.len > 3 and args[3] == "ssl":
        let ctx = newContext(verifyMode = CVerifyPeer, caFile = args[4])
        wrapSocket(ctx, socket)
    socket.connect("localhost", Port(parseInt(args[1])))
    for i in 0 ..< parseInt(args[2]):
      socket.send("line " & $i & "\c\L")
      echo socket.recvLine()
    socket.close()
  of "readlines":
    let socket = newSocket()
    socket.connect("127.0.0.1", Port(parseInt(args[1])))
    while true:
      let line = socket.recvLine()
      if line == "": break
      echo hexLine(line)
    socket.close()
  else:
    quit("unknown mode " & args[0], 2)

main()
