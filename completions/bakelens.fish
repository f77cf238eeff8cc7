# fish completion for bakelens. The candidates come from the program itself
# (`bakelens __complete WORDS...`: commands, options, --what values, themes,
# and the targets and platforms of the sources already on the line); when it
# has none, file names are completed.
function __bakelens_complete
	set -l words (commandline -opc)
	set -l current (commandline -ct)
	set -l candidates (command $words[1] __complete $words[2..-1] "$current" 2>/dev/null)
	if set -q candidates[1]
		printf '%s\n' $candidates
	else
		__fish_complete_path "$current"
	end
end
complete -c bakelens -f -a '(__bakelens_complete)'
