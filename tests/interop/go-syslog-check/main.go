// Strict RFC 5424 check of decky_mutated lines with influxdata/go-syslog (Debian package), an independent parser:
// reads lines on stdin, prints one JSON object per line with the parsed header and structured data, or an error.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"github.com/influxdata/go-syslog/v2/rfc5424"
)

func main() {
	parser := rfc5424.NewParser()
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	out := json.NewEncoder(os.Stdout)
	for scanner.Scan() {
		msg, err := parser.Parse(scanner.Bytes())
		if err != nil {
			out.Encode(map[string]string{"error": err.Error()})
			continue
		}
		m := msg.(*rfc5424.SyslogMessage)
		str := func(p *string) string {
			if p == nil {
				return ""
			}
			return *p
		}
		rec := map[string]interface{}{
			"priority": *m.Priority(),
			"version":  m.Version(),
			"hostname": str(m.Hostname()),
			"appname":  str(m.Appname()),
			"procid":   str(m.ProcID()),
			"msgid":    str(m.MsgID()),
			"sd":       m.StructuredData(),
		}
		if err := out.Encode(rec); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
