FROM alpine
RUN <<EOF
echo hello
echo $HOME
EOF
RUN <<-"END" sh
	echo tabs stripped
		echo more
	END
COPY <<a.txt <<'b.txt' /dest/
first file $X
a.txt
second file $Y
b.txt
RUN 3<<EOF cat /proc/self/fd/3
fd three
EOF
RUN cat <<'EO'"F"
quoted parts
EOF
CMD ["done"]
