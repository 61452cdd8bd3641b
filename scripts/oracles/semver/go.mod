module oracle

go 1.19

require github.com/Masterminds/semver/v3 v3.4.0

replace github.com/Masterminds/semver/v3 => ./semver
