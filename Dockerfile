# pbxlink: one static binary on a distroless base.
#   docker build -t pbxlink .
#   docker run --rm pbxlink run --help
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -o /out/pbxlink ./cmd/pbxlink

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/pbxlink /usr/local/bin/pbxlink
EXPOSE 9090
ENTRYPOINT ["pbxlink"]
CMD ["run"]
