# bash completion for bakelens. The candidates come from the program itself
# (`bakelens __complete WORDS...`: commands, options, --what values, themes,
# and the targets and platforms of the sources already on the line); when it
# has none, file names are completed.
_bakelens()
{
	local prog=${COMP_WORDS[0]/#\~/$HOME}
	mapfile -t COMPREPLY < <("$prog" __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
}
complete -o default -F _bakelens bakelens
