module decnetsyslogcheck

go 1.19

require github.com/influxdata/go-syslog/v2 v2.0.1

replace github.com/influxdata/go-syslog/v2 => /usr/share/gocode/src/github.com/influxdata/go-syslog
